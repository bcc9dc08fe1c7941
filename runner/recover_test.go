package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/stubdocker"
)

// Three managers: m1 is gone, m2 survives without a quorum.
const recoverLab = `case "$*" in
    "exec m1 "*) echo "Error response from daemon: container m1 is not running" >&2; exit 1 ;;
    "exec m3 "*) echo "Error response from daemon: container m3 is not running" >&2; exit 1 ;;
    "exec m2 sh -c"*)
      if [ -n "${QUORUM_BACK_AT:-}" ] && [ "$(nth ask)" -ge "$QUORUM_BACK_AT" ]; then
        echo '{"ID":"id2","Description":{"Hostname":"m2"},"Spec":{"Role":"manager"},"ManagerStatus":{"Leader":true}}'
      else
        echo "Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader." >&2; exit 1
      fi ;;
    "exec m2 docker swarm init --force-new-cluster"*) ;;
    "exec m2 docker info --format {{.Swarm.NodeID}}") echo id2 ;;
    "exec m2 docker node ls --filter role=manager"*) printf 'id1 m1\nid2 m2\nid3 m3\n' ;;
    "exec m2 docker node rm --force "*) ;;
    "inspect --format {{.Config.Image}} "*) echo dind:test ;;
    "stop "* | "run --rm --network none --volumes-from "*) ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`

var recoverCluster = Cluster{Managers: []string{"m1", "m2", "m3"}, Containers: map[string]string{"m1": "m1", "m2": "m2", "m3": "m3"}}

// Recover reads the quorum again right before it forces a new cluster:
// if a leader is back (a manager restarted while the user read the
// prompt), nothing is changed.
func TestRecoverRereadsBeforeForcingANewCluster(t *testing.T) {
	stub := stubdocker.New(t, "QUORUM_BACK_AT=1\n"+recoverLab)
	stub.Use(t)
	removed, err := recoverCluster.Recover(context.Background(), "m2", "10.0.0.2")
	if err == nil || !strings.Contains(err.Error(), "the swarm has a leader again; nothing was changed") {
		t.Errorf("Recover with the quorum back: removed %v, err %v", removed, err)
	}
	if calls := stub.Calls(); strings.Contains(calls, "force-new-cluster") || strings.Contains(calls, "node rm") || strings.Contains(calls, "stop ") {
		t.Errorf("Recover changed the lab although a leader was back; calls:\n%s", calls)
	}
}

// With the quorum still lost, the survivor forces a new cluster, the other
// managers are removed from it, stopped and their swarm state wiped.
func TestRecoverMakesTheSurvivorTheSoleManager(t *testing.T) {
	stub := stubdocker.New(t, recoverLab)
	stub.Use(t)
	removed, err := recoverCluster.Recover(context.Background(), "m2", "10.0.0.2")
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
	if strings.Contains(calls, "node rm --force id2") || strings.Contains(calls, "stop m2") {
		t.Errorf("the survivor was removed or stopped; calls:\n%s", calls)
	}
	if strings.Index(calls, "exec m2 sh -c") > strings.Index(calls, "force-new-cluster") {
		t.Errorf("the quorum was not read before force-new-cluster; calls:\n%s", calls)
	}
}
