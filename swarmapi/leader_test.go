package swarmapi

import (
	"context"
	"errors"
	"testing"

	"github.com/swarmgen/swarmgen/internal/fakeengine"
)

const noLeader = `503 {"message":"rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online."}`

// managersOf makes a lab of three manager containers lab-m1..3 (swarm
// nodes m1..m3) whose engines answer as given; a container not given is
// not running.
func managersOf(t *testing.T, nodes map[string]string) Managers {
	dialers := map[string]Dialer{}
	for ctr, answer := range nodes {
		_, sock := fakeengine.Serve(t, fakeEngine(map[string]string{"GET /nodes": answer}))
		dialers[ctr] = UnixDialer(sock)
	}
	return Managers{
		Containers: []string{"lab-m1", "lab-m2", "lab-m3"},
		ByNode:     map[string]string{"m1": "lab-m1", "m2": "lab-m2", "m3": "lab-m3"},
		Dial: func(ctr string) Dialer {
			if d, ok := dialers[ctr]; ok {
				return d
			}
			return UnixDialer(t.TempDir() + "/gone.sock")
		},
	}
}

// The first manager that answers gives the node list; the leader is the
// container of the node it marks leader, whichever manager answered.
func TestLeaderFollowsAFailover(t *testing.T) {
	m := managersOf(t, map[string]string{"lab-m2": `[
		{"ID":"a","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"Status":{"State":"down"},"ManagerStatus":{"Reachability":"unreachable"}},
		{"ID":"b","Description":{"Hostname":"m2"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Reachability":"reachable"}},
		{"ID":"c","Description":{"Hostname":"m3"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}}]`})
	a, err := m.Leader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Client.Close()
	if a.Answered != "lab-m2" || a.Leader != "lab-m3" || len(a.Nodes) != 3 {
		t.Errorf("answered %s, leader %s, %d nodes; want lab-m2, lab-m3, 3", a.Answered, a.Leader, len(a.Nodes))
	}
}

// A manager that runs but finds no leader means a lost quorum, with it as
// the survivor recover would use.
func TestLeaderQuorumLost(t *testing.T) {
	_, err := managersOf(t, map[string]string{"lab-m2": noLeader}).Leader(context.Background())
	var ql *QuorumLostError
	if !errors.As(err, &ql) || *ql != (QuorumLostError{Up: 1, Total: 3, Survivor: "lab-m2"}) {
		t.Fatalf("err = %v, want a lost quorum with survivor lab-m2", err)
	}
}

func TestLeaderNoManagerUp(t *testing.T) {
	if _, err := managersOf(t, nil).Leader(context.Background()); !errors.Is(err, ErrNoManager) {
		t.Fatalf("err = %v, want ErrNoManager", err)
	}
}
