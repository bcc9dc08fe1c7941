package drill

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/netfault"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// netScenario stands in for docker exec into three manager containers
// c-m1..c-m3: the partition's rules are kept as a file, which the fake
// engines read to answer as a cut-off or healed swarm would.
const netScenario = `node=""
for a in "$@"; do case $a in c-*) node=$a; break ;; esac; done
n=${node#c-m}
case "$*" in
  "exec $node ip -o -4 addr show") echo "7: eth0    inet 10.9.0.1$n/24 scope global eth0" ;;
  "exec $node iptables-save")
    if [ -f "$STUB_DIR/cut-$node" ]; then printf '*filter\n:SWARMGEN-NET - [0:0]\n-A INPUT -j SWARMGEN-NET\n-A OUTPUT -j SWARMGEN-NET\nCOMMIT\n'; else printf '*filter\nCOMMIT\n'; fi ;;
  "exec $node tc qdisc show dev eth0") echo 'qdisc noqueue 0: root refcnt 2' ;;
  "exec -i $node iptables-restore -w --noflush")
    in=$(cat)
    case $in in *"-X SWARMGEN-NET"*) rm -f "$STUB_DIR/cut-$node"; touch "$STUB_DIR/healed" ;; *DROP*) touch "$STUB_DIR/cut-$node" "$STUB_DIR/cut" ;; esac ;;
  *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
esac`

func nodesJSON(leader string, unreachable string) string {
	var items []string
	for i, m := range []string{"m1", "m2", "m3"} {
		reach := "reachable"
		if m == unreachable {
			reach = "unreachable"
		}
		items = append(items, fmt.Sprintf(`{"ID":"id%d","Description":{"Hostname":%q},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Leader":%v,"Reachability":%q}}`, i+1, m, m == leader, reach))
	}
	return "[" + strings.Join(items, ",") + "]"
}

// leaderLab serves three fake managers: m1 leads; once cut off, it knows no
// leader (stepsDown) or still says it leads, and m2 and m3 elect m2
// (elect) or find no leader; once healed, all name m2.
func leaderLab(t *testing.T, stub *stubdocker.Stub, elect, stepsDown bool) Lab {
	sockets := map[string]string{}
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(stub.Dir, name)); return err == nil }
	noLeader := `{"message":"rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online."}`
	for _, m := range []string{"m1", "m2", "m3"} {
		_, sock := fakeengine.Serve(t, func(req string) (int, string) {
			switch {
			case req != "GET /nodes":
				return 404, `{"message":"no"}`
			case exists("healed"):
				return 0, nodesJSON("m2", "")
			case !exists("cut"):
				return 0, nodesJSON("m1", "")
			case m == "m1" && stepsDown:
				return 503, noLeader
			case m == "m1":
				return 0, nodesJSON("m1", "m2")
			case elect:
				return 0, nodesJSON("m2", "m1")
			}
			return 503, noLeader
		})
		sockets["c-"+m] = sock
	}
	containers := map[string]string{"m1": "c-m1", "m2": "c-m2", "m3": "c-m3"}
	return Lab{
		Net: netfault.Lab{Subnet: "10.9.0.0/24", Nodes: []netfault.Node{{Name: "m1", Container: "c-m1"}, {Name: "m2", Container: "c-m2"}, {Name: "m3", Container: "c-m3"}}},
		Swarm: swarmapi.Managers{Containers: []string{"c-m1", "c-m2", "c-m3"}, ByNode: containers,
			Dial: func(c string) swarmapi.Dialer { return swarmapi.UnixDialer(sockets[c]) }},
		Managers: []string{"m1", "m2", "m3"}, Containers: containers, Poll: 20 * time.Millisecond,
	}
}

func TestLeaderPartition(t *testing.T) {
	stub := stubdocker.New(t, netScenario)
	stub.Use(t)
	l := leaderLab(t, stub, true, true)
	var live bytes.Buffer
	l.Live = &live
	d, _ := Find("leader-partition")
	rep, err := d.Run(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed || len(rep.Checks) != 4 {
		t.Errorf("report: %+v", rep)
	}
	for _, want := range []string{
		"m1 leads; 3 managers ready",
		"partitioned: m1 cut off from m2, m3",
		"m2 elected leader on the majority side",
		`m1 stepped down: it answers "rpc error: code = Unknown desc = The swarm does not have a leader`,
		"healed (swarmgen net heal)",
		"one leader again: every manager names m2, all 3 reachable",
	} {
		if !strings.Contains(live.String(), want) {
			t.Errorf("timeline lacks %q:\n%s", want, live.String())
		}
	}
	for _, m := range []string{"new_leader", "old_leader_stepped_down", "one_leader_after_heal"} {
		if _, ok := rep.Measures[m]; !ok {
			t.Errorf("no measure %s: %v", m, rep.Measures)
		}
	}
	// the rules went on m1 (against m2, m3) and on m2, m3 (against m1), and all came off
	if calls := stub.Calls(); strings.Count(calls, "iptables-restore") != 6 {
		t.Errorf("calls:\n%s", calls)
	}
}

// A swarm that elects no one fails the drill, and the fault is healed all
// the same.
func TestLeaderPartitionFails(t *testing.T) {
	stub := stubdocker.New(t, netScenario)
	stub.Use(t)
	old := [2]time.Duration{NewLeaderWithin, OneLeaderWithin}
	NewLeaderWithin, OneLeaderWithin = 200*time.Millisecond, 500*time.Millisecond
	defer func() { NewLeaderWithin, OneLeaderWithin = old[0], old[1] }()
	d, _ := Find("leader-partition")
	rep, err := d.Run(context.Background(), leaderLab(t, stub, false, false))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed || rep.Checks[0].OK || rep.Checks[0].Measured != "not seen within 200ms+" {
		t.Errorf("report: %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(stub.Dir, "healed")); err != nil {
		t.Error("the fault was not healed")
	}
	var out bytes.Buffer
	rep.Print(&out, true)
	if !strings.Contains(out.String(), " ✗ a new leader on the majority side within 200ms: not seen") || !strings.Contains(out.String(), "drill leader-partition FAILED") {
		t.Errorf("printed:\n%s", out.String())
	}
}

func TestLeaderPartitionNeedsThreeManagers(t *testing.T) {
	d, _ := Find("leader-partition")
	if _, err := d.Run(context.Background(), Lab{Managers: []string{"m1"}}); err == nil || !strings.Contains(err.Error(), "needs 3 or more managers") {
		t.Errorf("one manager: %v", err)
	}
	if _, err := Find("split-brain"); err == nil || !strings.Contains(err.Error(), "the drills: leader-partition, worker-partition, quorum-loss, slow-overlay") {
		t.Errorf("unknown drill: %v", err)
	}
}
