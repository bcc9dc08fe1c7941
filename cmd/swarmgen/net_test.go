package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// net and drill refuse a lab of machines before any docker call: a real
// machine's firewall is not a lab's business.
func TestNetAndDrillRefuseMachines(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "swarm.yaml")
	if err := os.WriteFile(spec, []byte(`apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: fleet
managers:
  - {name: m1, endpoint: "ssh://admin@192.0.2.11"}
workers:
  - {name: w1, endpoint: "ssh://admin@192.0.2.12"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	stub := stubdocker.New(t, `echo "stub docker: no answer for: $*" >&2; exit 1`)
	stub.Use(t)
	for _, args := range [][]string{
		{"net", "partition", "m1", "w1"}, {"net", "heal"}, {"net", "show"}, {"net", "delay", "w1", "200ms"},
		{"drill", "worker-partition"},
	} {
		code, out, stderr := swarmgen(t, append(args, "-f", spec, "-o", dir)...)
		if code != exitUser || !strings.Contains(stderr, "this lab's nodes are machines") || !strings.Contains(stderr, "not a lab's business") {
			t.Errorf("%v on machines: exit %d\n%s\n%s", args, code, out, stderr)
		}
	}
	if calls := stub.Calls(); calls != "" {
		t.Errorf("docker was called:\n%s", calls)
	}
}

// Bad arguments are the user's error, said before any docker call.
func TestNetBadArguments(t *testing.T) {
	stub := stubdocker.New(t, `echo "stub docker: no answer for: $*" >&2; exit 1`)
	stub.Use(t)
	const spec = "../../examples/classic/swarm.yaml"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"net", "partition", "-f", spec, "manager", "worker9"}, `no node "worker9" in this lab; its nodes: manager, worker01, worker02, worker03`},
		{[]string{"net", "partition", "-f", spec}, "give the groups to cut apart"},
		{[]string{"net", "delay", "-f", spec, "worker01"}, "takes a node and a delay"},
		{[]string{"net", "delay", "-f", spec, "worker01", "200"}, `delay "200": give a duration such as 200ms`},
		{[]string{"net", "delay", "-f", spec, "--loss", "5", "worker01", "200ms"}, `--loss "5": give a percentage`},
		{[]string{"net", "heal", "-f", spec, "worker01"}, "takes no arguments"},
		{[]string{"drill", "-f", spec, "split-brain"}, `no drill "split-brain"; the drills: leader-partition, worker-partition, quorum-loss, slow-overlay`},
		{[]string{"drill", "-f", spec}, "takes the name of a drill"},
	} {
		code, out, stderr := swarmgen(t, c.args...)
		if code != exitUser || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d\n%s\n%s\nwant %q", c.args, code, out, stderr, c.want)
		}
	}
	if calls := stub.Calls(); calls != "" {
		t.Errorf("docker was called:\n%s", calls)
	}
}

// The command lines: partition and delay act inside the named nodes'
// containers, as the rendered lab names them; show prints what it read.
func TestNetCommandLines(t *testing.T) {
	stub := stubdocker.New(t, `node=""
for a in "$@"; do case $a in classic-*|manager|worker0*) node=$a; break ;; esac; done
case "$*" in
  *" ip -o -4 addr show") case $node in manager) n=2 ;; worker01) n=3 ;; worker02) n=4 ;; *) n=5 ;; esac
    echo "5: eth0    inet 10.247.0.$n/24 brd 10.247.0.255 scope global eth0" ;;
  *" iptables-save") echo '*filter'; echo COMMIT ;;
  *" tc qdisc show dev eth0") echo 'qdisc noqueue 0: root refcnt 2' ;;
  "exec -i "*" iptables-restore -w --noflush") cat >"$STUB_DIR/restore-$node" ;;
  "exec "*" tc qdisc replace dev eth0 root handle 5347: netem delay 200ms 20ms loss 5%") ;;
  *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
esac`)
	stub.Use(t)
	const spec = "../../examples/classic/swarm.yaml"
	code, out, stderr := swarmgen(t, "net", "partition", "-f", spec, "manager", "worker01,worker02")
	if code != 0 || !strings.Contains(out, "partitioned: manager | worker01,worker02 cannot reach each other") {
		t.Fatalf("partition: exit %d\n%s\n%s\n%s", code, out, stderr, stub.Calls())
	}
	calls := stub.Calls()
	for _, want := range []string{"exec -i manager iptables-restore -w --noflush", "exec -i worker01 iptables-restore -w --noflush", "exec -i worker02 iptables-restore -w --noflush", "exec worker03 ip -o -4 addr show"} {
		if !strings.Contains(calls, want+"\n") {
			t.Errorf("no call %q:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "exec -i worker03 iptables-restore") {
		t.Errorf("worker03, in no group, got rules:\n%s", calls)
	}
	rules, _ := os.ReadFile(filepath.Join(stub.Dir, "restore-manager"))
	if !strings.Contains(string(rules), "-A SWARMGEN-NET -s 10.247.0.3/32 -j DROP\n-A SWARMGEN-NET -d 10.247.0.3/32 -j DROP\n-A SWARMGEN-NET -s 10.247.0.4/32") {
		t.Errorf("manager's rules:\n%s", rules)
	}
	code, out, stderr = swarmgen(t, "net", "delay", "-f", spec, "--jitter", "20ms", "--loss", "5%", "worker03", "200ms")
	if code != 0 || !strings.Contains(out, "worker03: netem delay 200ms 20ms loss 5% on eth0") {
		t.Errorf("delay: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = swarmgen(t, "net", "show", "-f", spec)
	if code != 0 || !strings.Contains(out, "no network fault in force") {
		t.Errorf("show: exit %d\n%s", code, out)
	}
}
