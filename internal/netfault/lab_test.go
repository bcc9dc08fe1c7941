package netfault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// nodesScenario answers as three running nodes would: each has its lab
// address on eth0; RULES_<container> and QDISC_<container> in the
// scenario's environment are what iptables-save and tc print; the input
// of iptables-restore is kept in restore-<container>.
const nodesScenario = `node=""
for a in "$@"; do case $a in lab-*) node=${a%%:*}; break ;; esac; done
case $node in lab-m1) n=11 ;; lab-w1) n=12 ;; lab-w2) n=13 ;; *) echo "Error: No such container: $node" >&2; exit 1 ;; esac
down=${DOWN:-}
[ "$node" = "$down" ] && { echo "Error response from daemon: container $node is not running" >&2; exit 1; }
case "$*" in
  "exec $node ip -o -4 addr show")
    echo '1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever'
    echo "7: eth0    inet 10.77.0.$n/24 brd 10.77.0.255 scope global eth0\       valid_lft forever" ;;
  "exec $node iptables-save")
    f="$STUB_DIR/rules-$node"; [ -f "$f" ] && cat "$f" || printf '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A DOCKER -s 10.77.0.99/32 -j DROP\nCOMMIT\n' ;;
  "exec $node tc qdisc show dev eth0")
    [ -n "${NOTC:-}" ] && { echo 'OCI runtime exec failed: exec failed: unable to start container process: exec: "tc": executable file not found in $PATH: unknown' >&2; exit 126; }
    f="$STUB_DIR/qdisc-$node"; [ -f "$f" ] && cat "$f" || echo 'qdisc noqueue 0: root refcnt 2' ;;
  "exec -i $node iptables-restore -w --noflush") cat >"$STUB_DIR/restore-$node" ;;
  "exec $node tc qdisc replace dev eth0 root handle 5347: netem "*) if [ -n "${NONETEM:-}" ]; then echo 'Error: Specified qdisc kind is unknown.' >&2; exit 2; fi ;;
  "exec $node mkdir -p /run/swarmgen-net" | "cp /host/swarmgen $node:/run/swarmgen-net/swarmgen" | "exec -d $node /run/swarmgen-net/swarmgen net delayer --delay "*) ;;
  "exec $node /run/swarmgen-net/swarmgen net delayer --stop" | "exec $node rm -rf /run/swarmgen-net") ;;
  "exec $node tc qdisc del dev eth0 root handle 5347:") ;;
  *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
esac`

var stubLab = Lab{Subnet: "10.77.0.0/24", Nodes: []Node{{"m1", "lab-m1"}, {"w1", "lab-w1"}, {"w2", "lab-w2"}}}

func restored(t *testing.T, stub *stubdocker.Stub, container string) string {
	b, err := os.ReadFile(filepath.Join(stub.Dir, "restore-"+container))
	if err != nil {
		return ""
	}
	return string(b)
}

// writes is the calls that change something (the reads are the same on
// every node), sorted: the nodes are done in parallel.
func writes(stub *stubdocker.Stub) string {
	w := strings.Split(writesInOrder(stub), "\n")
	sort.Strings(w)
	return strings.Join(w, "\n")
}

// writesInOrder is writes in the order they were made, for one node's.
func writesInOrder(stub *stubdocker.Stub) string {
	var out []string
	for _, c := range strings.Split(strings.TrimSpace(stub.Calls()), "\n") {
		if c != "" && !strings.Contains(c, " ip -o -4 addr show") && !strings.Contains(c, "iptables-save") && !strings.Contains(c, "qdisc show") {
			out = append(out, c)
		}
	}
	return strings.Join(out, "\n")
}

func TestPartitionRules(t *testing.T) {
	stub := stubdocker.New(t, nodesScenario)
	stub.Use(t)
	if _, err := stubLab.Partition(context.Background(), [][]string{{"m1"}, {"w1"}}); err != nil {
		t.Fatal(err)
	}
	if got := writes(stub); got != "exec -i lab-m1 iptables-restore -w --noflush\nexec -i lab-w1 iptables-restore -w --noflush" {
		t.Errorf("writes (w2, in no group and with no chain, is left alone):\n%s", got)
	}
	want := `*filter
:SWARMGEN-NET - [0:0]
-I INPUT -j SWARMGEN-NET
-I OUTPUT -j SWARMGEN-NET
-A SWARMGEN-NET -s 10.77.0.12/32 -j DROP
-A SWARMGEN-NET -d 10.77.0.12/32 -j DROP
COMMIT
`
	if got := restored(t, stub, "lab-m1"); got != want {
		t.Errorf("m1's rules:\n%s\nwant\n%s", got, want)
	}
	if got := restored(t, stub, "lab-w1"); !strings.Contains(got, "-s 10.77.0.11/32 -j DROP\n-A SWARMGEN-NET -d 10.77.0.11/32") || strings.Contains(got, "10.77.0.13") {
		t.Errorf("w1's rules:\n%s", got)
	}
	// every read of the nodes was from inside them, never the host's rules
	for _, c := range strings.Split(strings.TrimSpace(stub.Calls()), "\n") {
		if !strings.HasPrefix(c, "exec ") {
			t.Errorf("a docker call outside the nodes: %s", c)
		}
	}
}

// A second partition replaces the first: the chain is declared (emptied)
// again, no second jump is added, and a node no longer in a group loses
// its chain and jumps.
func TestPartitionAgainAndHeal(t *testing.T) {
	stub := stubdocker.New(t, nodesScenario)
	stub.Use(t)
	chain := "*filter\n:INPUT ACCEPT [0:0]\n:SWARMGEN-NET - [0:0]\n-A INPUT -j SWARMGEN-NET\n-A OUTPUT -j SWARMGEN-NET\n-A SWARMGEN-NET -s 10.77.0.13/32 -j DROP\n-A SWARMGEN-NET -d 10.77.0.13/32 -j DROP\nCOMMIT\n"
	for _, n := range []string{"lab-m1", "lab-w2"} {
		if err := os.WriteFile(filepath.Join(stub.Dir, "rules-"+n), []byte(chain), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(stub.Dir, "qdisc-lab-w1"), []byte("qdisc netem 5347: root refcnt 2 limit 1000 delay 200ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	states, err := stubLab.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := Describe(states); d != "  m1  cut off from w2\n  w1  netem delay 200ms on eth0\n  w2  cut off from w2" {
		t.Errorf("Describe:\n%s", d)
	}
	if _, err := stubLab.Partition(context.Background(), [][]string{{"m1"}, {"w1"}}); err != nil {
		t.Fatal(err)
	}
	if got := restored(t, stub, "lab-m1"); strings.Contains(got, "-I INPUT") || !strings.Contains(got, ":SWARMGEN-NET - [0:0]\n-A SWARMGEN-NET -s 10.77.0.12/32") {
		t.Errorf("m1's rules again:\n%s", got)
	}
	if got := restored(t, stub, "lab-w2"); got != "*filter\n-D INPUT -j SWARMGEN-NET\n-D OUTPUT -j SWARMGEN-NET\n-F SWARMGEN-NET\n-X SWARMGEN-NET\nCOMMIT\n" {
		t.Errorf("w2, in no group now, is not healed:\n%s", got)
	}

	stub2 := stubdocker.New(t, nodesScenario)
	stub2.Use(t)
	for _, n := range []string{"lab-m1", "lab-w2"} {
		_ = os.WriteFile(filepath.Join(stub2.Dir, "rules-"+n), []byte(chain), 0o644)
	}
	_ = os.WriteFile(filepath.Join(stub2.Dir, "qdisc-lab-w1"), []byte("qdisc netem 5347: root refcnt 2 limit 1000 delay 200ms\n"), 0o644)
	if _, err := stubLab.Heal(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := writes(stub2); got != "exec -i lab-m1 iptables-restore -w --noflush\nexec -i lab-w2 iptables-restore -w --noflush\nexec lab-w1 tc qdisc del dev eth0 root handle 5347:" {
		t.Errorf("heal's writes:\n%s", got)
	}
}

func TestPartitionRefusesStoppedNode(t *testing.T) {
	stub := stubdocker.New(t, nodesScenario)
	stub.Use(t)
	t.Setenv("DOWN", "lab-w1")
	_, err := stubLab.Partition(context.Background(), [][]string{{"m1"}, {"w1"}})
	if err == nil || !strings.Contains(err.Error(), "node w1 is not running") {
		t.Errorf("a stopped node in a group: %v", err)
	}
	if got := writes(stub); got != "" {
		t.Errorf("wrote although refused:\n%s", got)
	}
	// heal and show pass over it
	states, err := stubLab.Heal(context.Background())
	if err != nil || states[1].Running {
		t.Errorf("heal with a stopped node: %v %+v", err, states)
	}
}

func TestDelay(t *testing.T) {
	stub := stubdocker.New(t, nodesScenario)
	stub.Use(t)
	n, _ := ParseNetem("200ms", "20ms", "5%")
	if _, err := stubLab.Delay(context.Background(), "w1", n); err != nil {
		t.Fatal(err)
	}
	if got := writes(stub); got != "exec lab-w1 tc qdisc replace dev eth0 root handle 5347: netem delay 200ms 20ms loss 5%" {
		t.Errorf("delay's writes:\n%s", got)
	}
	// someone else's root qdisc is left alone
	_ = os.WriteFile(filepath.Join(stub.Dir, "qdisc-lab-w2"), []byte("qdisc htb 1: root refcnt 2 r2q 10\n"), 0o644)
	if _, err := stubLab.Delay(context.Background(), "w2", n); err == nil || !strings.Contains(err.Error(), "already has a root qdisc that is not swarmgen's (htb 1:)") {
		t.Errorf("delay over another qdisc: %v", err)
	}
	if _, err := stubLab.Delay(context.Background(), "w9", n); err == nil || !strings.Contains(err.Error(), `no node "w9" in this lab; its nodes: m1, w1, w2`) {
		t.Errorf("delay of an unknown node: %v", err)
	}
	// an image without tc: show works, delay says what is missing
	t.Setenv("NOTC", "1")
	if _, err := stubLab.Read(context.Background()); err != nil {
		t.Errorf("read without tc: %v", err)
	}
	if _, err := stubLab.Delay(context.Background(), "w1", n); err == nil || !strings.Contains(err.Error(), "node w1: its image has no tc (iproute2)") {
		t.Errorf("delay without tc: %v", err)
	}
}

// A kernel without netem: the delayer stands in, copied into the node and
// started there, with the mangle chain that queues the lab interface's
// packets to it; heal removes the chain, stops it and removes its files.
func TestDelayWithoutNetem(t *testing.T) {
	stub := stubdocker.New(t, nodesScenario)
	stub.Use(t)
	t.Setenv("NONETEM", "1")
	n, _ := ParseNetem("200ms", "20ms", "5%")
	if _, err := stubLab.Delay(context.Background(), "w1", n); err == nil || !strings.Contains(err.Error(), "node w1: this kernel has no netem (sch_netem)") {
		t.Errorf("without netem nor a delayer: %v", err)
	}
	l := stubLab
	l.Binary = func() (string, error) { return "/host/swarmgen", nil }
	s, err := l.Delay(context.Background(), "w1", n)
	if err != nil || s.Via != "delayer" {
		t.Fatalf("delay with the delayer: %+v %v", s, err)
	}
	want := `exec lab-w1 tc qdisc replace dev eth0 root handle 5347: netem delay 200ms 20ms loss 5%
exec lab-w1 tc qdisc replace dev eth0 root handle 5347: netem delay 200ms 20ms loss 5%
exec lab-w1 mkdir -p /run/swarmgen-net
cp /host/swarmgen lab-w1:/run/swarmgen-net/swarmgen
exec -d lab-w1 /run/swarmgen-net/swarmgen net delayer --delay 200ms --jitter 20ms
exec -i lab-w1 iptables-restore -w --noflush`
	if got := writesInOrder(stub); got != want {
		t.Errorf("writes:\n%s\nwant\n%s", got, want)
	}
	rules := `*mangle
:SWARMGEN-NET-DELAY - [0:0]
-I POSTROUTING -o eth0 -j SWARMGEN-NET-DELAY
-A SWARMGEN-NET-DELAY -m comment --comment "delay 200ms 20ms loss 5%"
-A SWARMGEN-NET-DELAY -m statistic --mode random --probability 0.05 -j DROP
-A SWARMGEN-NET-DELAY -j NFQUEUE --queue-num 5347 --queue-bypass
COMMIT
`
	if got := restored(t, stub, "lab-w1"); got != rules {
		t.Errorf("w1's rules:\n%s\nwant\n%s", got, rules)
	}

	stub2 := stubdocker.New(t, nodesScenario)
	stub2.Use(t)
	_ = os.WriteFile(filepath.Join(stub2.Dir, "rules-lab-w1"), []byte(`*mangle
:SWARMGEN-NET-DELAY - [0:0]
-A POSTROUTING -o eth0 -j SWARMGEN-NET-DELAY
-A SWARMGEN-NET-DELAY -m comment --comment "delay 200ms 20ms loss 5%"
-A SWARMGEN-NET-DELAY -j NFQUEUE --queue-num 5347 --queue-bypass
COMMIT
`), 0o644)
	states, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := Describe(states); d != "  w1  delay 200ms 20ms loss 5% on eth0 (swarmgen's delayer: the kernel has no netem)" {
		t.Errorf("Describe: %q", d)
	}
	if _, err := l.Heal(context.Background()); err != nil {
		t.Fatal(err)
	}
	want = `exec -i lab-w1 iptables-restore -w --noflush
exec lab-w1 /run/swarmgen-net/swarmgen net delayer --stop
exec lab-w1 rm -rf /run/swarmgen-net`
	if got := writesInOrder(stub2); got != want {
		t.Errorf("heal's writes:\n%s\nwant\n%s", got, want)
	}
	if got := restored(t, stub2, "lab-w1"); got != "*mangle\n-D POSTROUTING -o eth0 -j SWARMGEN-NET-DELAY\n-F SWARMGEN-NET-DELAY\n-X SWARMGEN-NET-DELAY\nCOMMIT\n" {
		t.Errorf("heal's rules:\n%s", got)
	}
}

// The lab records its faults in the swarm: before a partition or a delay
// changes anything (the fault may cost the swarm its leader), after a
// heal; a change that fails is recorded again as what is in force.
func TestFaultsRecorded(t *testing.T) {
	stub := stubdocker.New(t, nodesScenario)
	stub.Use(t)
	var records []string
	l := stubLab
	l.Record = func(_ context.Context, labels map[string]map[string]string) {
		var b strings.Builder
		made := 0
		if w := writes(stub); w != "" {
			made = strings.Count(w, "\n") + 1
		}
		fmt.Fprintf(&b, "[%d writes before]", made)
		for _, n := range []string{"m1", "w1", "w2"} {
			fmt.Fprintf(&b, " %s cut=%q delay=%q", n, labels[n][ownlabels.NetCut], labels[n][ownlabels.NetDelay])
		}
		records = append(records, b.String())
	}
	ctx := context.Background()
	if _, err := l.Partition(ctx, [][]string{{"m1"}, {"w1", "w2"}}); err != nil {
		t.Fatal(err)
	}
	n, _ := ParseNetem("200ms", "", "")
	if _, err := l.Delay(ctx, "w2", n); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Heal(ctx); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NONETEM", "1")
	if _, err := l.Delay(ctx, "w1", n); err == nil {
		t.Fatal("a delay on a kernel without netem, and no delayer")
	}
	t.Setenv("DOWN", "lab-w1")
	if _, err := l.Partition(ctx, [][]string{{"m1"}, {"w1"}}); err == nil {
		t.Fatal("a partition of a stopped node")
	}
	want := []string{
		`[0 writes before] m1 cut="w1,w2" delay="" w1 cut="m1" delay="" w2 cut="m1" delay=""`,
		// the stub keeps no state: the partition is not read back
		`[3 writes before] m1 cut="" delay="" w1 cut="" delay="" w2 cut="" delay="delay 200ms"`,
		`[4 writes before] m1 cut="" delay="" w1 cut="" delay="" w2 cut="" delay=""`,
		// a delay that failed: recorded before, then as it is
		`[4 writes before] m1 cut="" delay="" w1 cut="" delay="delay 200ms" w2 cut="" delay=""`,
		`[5 writes before] m1 cut="" delay="" w1 cut="" delay="" w2 cut="" delay=""`,
		// a refused partition records nothing
	}
	if strings.Join(records, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(records, "\n"), strings.Join(want, "\n"))
	}
}
