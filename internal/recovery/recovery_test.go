package recovery

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// Three managers: m1 and m3 are gone, m2 survives without a quorum. The
// docker CLI (a stub) acts; m2's engine (a fake) is read.
const recoverLab = `case "$*" in
    "exec m2 docker swarm init --force-new-cluster"*) ;;
    "exec m2 docker node rm --force "*) ;;
    "inspect --format {{.Config.Image}} "*) echo dind:test ;;
    "stop "* | "run --rm --network none --volumes-from "*) ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`

const recoverNodes = `[{"ID":"id1","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"ManagerStatus":{"Reachability":"unreachable"}},
{"ID":"id2","Description":{"Hostname":"m2"},"Spec":{"Role":"manager"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}},
{"ID":"id3","Description":{"Hostname":"m3"},"Spec":{"Role":"manager"},"ManagerStatus":{"Reachability":"unreachable"}},
{"ID":"id4","Description":{"Hostname":"w1"},"Spec":{"Role":"worker"}}]`

// recoverCluster's m2 finds no leader for its first answers to GET /nodes
// (noLeaderFor of them), then lists the nodes.
func recoverCluster(t *testing.T, noLeaderFor int64) lab.Cluster {
	var asked atomic.Int64
	_, sock := fakeengine.Serve(t, func(req string) (int, string) {
		switch req {
		case "GET /nodes":
			if asked.Add(1) <= noLeaderFor {
				return 503, `{"message":"rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online."}`
			}
			return 0, recoverNodes
		case "GET /info":
			return 0, `{"Swarm":{"NodeID":"id2"}}`
		}
		return fakeengine.NotFound()
	})
	return lab.Cluster{
		Managers:   []string{"m1", "m2", "m3"},
		Containers: map[string]string{"m1": "m1", "m2": "m2", "m3": "m3", "w1": "w1"},
		Dial: func(ctr string) swarmapi.Dialer {
			if ctr == "m2" {
				return swarmapi.UnixDialer(sock)
			}
			return swarmapi.UnixDialer(t.TempDir() + "/not-running.sock")
		},
	}
}

// Recover reads the quorum again right before it forces a new cluster:
// if a leader is back (a manager restarted while the user read the
// prompt), nothing is changed.
func TestRecoverRereadsBeforeForcingANewCluster(t *testing.T) {
	stub := stubdocker.New(t, recoverLab)
	stub.Use(t)
	removed, err := Recover(context.Background(), recoverCluster(t, 0), "m2", "10.0.0.2")
	if err == nil || !strings.Contains(err.Error(), "the swarm has a leader again; nothing was changed") {
		t.Errorf("Recover with the quorum back: removed %v, err %v", removed, err)
	}
	if calls := stub.Calls(); calls != "" {
		t.Errorf("Recover changed the lab although a leader was back; calls:\n%s", calls)
	}
}

// With the quorum still lost, the survivor forces a new cluster, the other
// managers are removed from it, stopped and their swarm state wiped.
func TestRecoverMakesTheSurvivorTheSoleManager(t *testing.T) {
	stub := stubdocker.New(t, recoverLab)
	stub.Use(t)
	removed, err := Recover(context.Background(), recoverCluster(t, 1), "m2", "10.0.0.2")
	if err != nil || strings.Join(removed, " ") != "m1 m3" {
		t.Fatalf("Recover: removed %v, err %v; calls:\n%s", removed, err, stub.Calls())
	}
	calls := stub.Calls()
	for _, want := range []string{
		"exec m2 docker swarm init --force-new-cluster --advertise-addr 10.0.0.2",
		"exec m2 docker node rm --force id1", "exec m2 docker node rm --force id3",
		"stop m1", "run --rm --network none --volumes-from m1 --entrypoint rm dind:test -rf /var/lib/docker/swarm",
		"stop m3",
	} {
		if !strings.Contains(calls, want) {
			t.Errorf("no call %q; calls:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "id2") || strings.Contains(calls, "stop m2") || strings.Contains(calls, "id4") {
		t.Errorf("the survivor or a worker was removed or stopped; calls:\n%s", calls)
	}
}
