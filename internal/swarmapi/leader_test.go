package swarmapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
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

const failedOver = `[
		{"ID":"a","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"Status":{"State":"down"},"ManagerStatus":{"Reachability":"unreachable"}},
		{"ID":"b","Description":{"Hostname":"m2"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Reachability":"reachable"}},
		{"ID":"c","Description":{"Hostname":"m3"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}}]`

// The first manager that answers names the leader; the leader itself is
// then asked, and the answer is its own (as find_leader in bootstrap.sh).
func TestLeaderFollowsAFailover(t *testing.T) {
	m := managersOf(t, map[string]string{"lab-m2": failedOver, "lab-m3": failedOver})
	a, err := m.Leader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Client.Close()
	if a.Answered != "lab-m3" || a.Leader != "lab-m3" || len(a.Nodes) != 3 {
		t.Errorf("answered %s, leader %s, %d nodes; want lab-m3, lab-m3, 3", a.Answered, a.Leader, len(a.Nodes))
	}
	if _, err := a.Client.Nodes(context.Background()); err != nil {
		t.Errorf("the client is not on the leader: %v", err)
	}
}

// A manager that answers but names no leader (an election) is not taken
// for the leader; one named leader that does not answer is named.
func TestLeaderIsNeverGuessed(t *testing.T) {
	const noneLeads = `[{"ID":"a","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Reachability":"reachable"}}]`
	a, err := managersOf(t, map[string]string{"lab-m1": noneLeads}).Leader(context.Background())
	var ql *QuorumLostError
	if !errors.As(err, &ql) {
		t.Errorf("no node leads: answer %+v, err %v; want no leader", a, err)
	}
	_, err = managersOf(t, map[string]string{"lab-m2": failedOver}).Leader(context.Background())
	if err == nil || !strings.Contains(err.Error(), "lab-m3 leads the swarm, but lab-m3 does not answer") {
		t.Errorf("a leader that does not answer: %v", err)
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

// A leader that is no manager the lab reaches (a lab of machines found by
// its docker context reaches one) is named, with how to reach it: never
// taken for an election (a lost quorum), never guessed.
func TestLeaderOutOfReach(t *testing.T) {
	m := managersOf(t, map[string]string{"lab-m2": failedOver})
	delete(m.ByNode, "m3")
	m.Reach = "run swarmgen up there"
	_, err := m.Leader(context.Background())
	var ql *QuorumLostError
	if err == nil || errors.As(err, &ql) || !strings.Contains(err.Error(), "lab-m2 answers that m3 leads the swarm, and m3 is not a manager swarmgen reaches here: run swarmgen up there") {
		t.Errorf("a leader out of reach: %v", err)
	}
}
