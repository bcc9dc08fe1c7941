package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// A lab of its own: no other e2e test uses this name or port.
const (
	netLab          = "e2e-net"
	netRegistryPort = 15030
)

// echo runs on every node (global) on the overlay network probe, so a
// probe can go from any node's task to any other's.
var netSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: ` + netLab + `
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: ` + strconv.Itoa(netRegistryPort) + `
nodes:
  image: swarmgen-e2e/dind:bookworm
  privileged: false
managers: 3
workers: 2
images:
  - source: yutsuki/echo:latest
networks:
  - name: probe
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
    mode: global
    networks: [probe]
`

var netNodes = []string{"manager01", "manager02", "manager03", "worker01", "worker02"}

// TestNetFaultsAndDrills, on one lab of 3 managers and 2 workers: net
// partition stops traffic between groups (a probe between tasks over the
// overlay, and the swarm's own node state) while each group and the host
// still reach their nodes; heal restores it; delay adds a measured delay
// that up does not heal; the leader-partition and worker-partition drills
// pass, and so does slow-overlay; heal and down leave no rule behind.
func TestNetFaultsAndDrills(t *testing.T) {
	needEngine(t)
	h := newHarness(t, netSpec)
	hostBefore := hostRules(t)
	h.must("up", "--wait", "4m")
	h.waitFor("5 nodes ready, echo on each", 2*time.Minute, nodesReadyAnd(5, converged("echo")))
	before := nodeNetState(t)
	// A task that runs is not yet a peer of every other: the overlay's
	// endpoints reach the other nodes by gossip, a few seconds later (CI once
	// probed worker02 -> worker01 before they had). So the first probe of
	// each pair may wait, and says how long it took.
	start := time.Now()
	for _, from := range []string{"manager01", "worker02"} {
		for _, to := range []string{"worker01", "manager03"} {
			if err := eventually(time.Minute, func() error { _, err := probe(t, from, to); return err }); err != nil {
				t.Fatalf("before any fault, %s cannot reach %s's task: %v", from, to, err)
			}
		}
	}
	t.Logf("TIMING every task reached over the overlay %s after up", time.Since(start).Round(100*time.Millisecond))
	if out := h.must("net", "show"); !strings.Contains(out, "no network fault in force") {
		t.Errorf("net show on a fresh lab:\n%s", out)
	}

	t.Run("partition and heal", func(t *testing.T) {
		out := h.must("net", "partition", "manager01,worker01", "manager02,manager03,worker02")
		if !strings.Contains(out, "partitioned: manager01,worker01 | manager02,manager03,worker02") {
			t.Errorf("partition said:\n%s", out)
		}
		for _, p := range [][2]string{{"manager01", "worker02"}, {"worker01", "manager03"}, {"worker02", "worker01"}} {
			if d, err := probe(t, p[0], p[1]); err == nil {
				t.Errorf("partitioned, %s still reaches %s's task over the overlay (%s)", p[0], p[1], d)
			}
		}
		for _, p := range [][2]string{{"manager01", "worker01"}, {"worker02", "manager03"}, {"manager02", "worker02"}} {
			if _, err := probe(t, p[0], p[1]); err != nil {
				t.Errorf("partitioned, %s no longer reaches %s in its own group: %v", p[0], p[1], err)
			}
		}
		for _, n := range netNodes { // the host reaches every node
			addr := nodeAddr(t, n)
			if c, err := net.DialTimeout("tcp", addr+":7946", 3*time.Second); err != nil {
				t.Errorf("partitioned, the host cannot reach %s (%s:7946): %v", n, addr, err)
			} else {
				c.Close()
			}
		}
		show := h.must("net", "show")
		if !regexp.MustCompile(`manager01 +cut off from manager02, manager03, worker02`).MatchString(show) ||
			!regexp.MustCompile(`worker02 +cut off from manager01, worker01`).MatchString(show) {
			t.Errorf("net show:\n%s", show)
		}
		// the majority side's view: the minority's nodes Down or unreachable
		h.waitFor("worker01 down for the majority", 2*time.Minute, func(st *swarmlab.Status) error {
			if s := nodeState(st, "worker01"); s != "down" {
				return fmt.Errorf("worker01 is %q", s)
			}
			return nil
		})

		out = h.must("net", "heal")
		if !strings.Contains(out, "healed; these faults were removed") {
			t.Errorf("heal said:\n%s", out)
		}
		h.waitFor("5 nodes ready after heal", 2*time.Minute, nodesReadyAnd(5, converged("echo")))
		for _, p := range [][2]string{{"manager01", "worker02"}, {"worker01", "manager03"}} {
			if err := eventually(time.Minute, func() error { _, err := probe(t, p[0], p[1]); return err }); err != nil {
				t.Errorf("healed, %s still cannot reach %s: %v", p[0], p[1], err)
			}
		}
		compareNetState(t, "after net heal", before, nodeNetState(t))
	})

	t.Run("delay", func(t *testing.T) {
		base := medianProbe(t, "manager02", "worker02")
		out := h.must("net", "delay", "worker02", "200ms")
		if !regexp.MustCompile(`worker02: (netem )?delay 200ms .*on eth`).MatchString(out) {
			t.Errorf("delay said:\n%s", out)
		}
		slow := medianProbe(t, "manager02", "worker02")
		t.Logf("TIMING TCP connect manager02 -> worker02's task: %s before, %s with 200ms on worker02", base, slow)
		// worker02's SYN-ACK waits 200ms in netem: a connect takes at least that
		if slow < 190*time.Millisecond || slow-base < 100*time.Millisecond {
			t.Errorf("connect time %s with the delay, %s without: the delay is not there", slow, base)
		}
		// up heals nothing, and says the fault is in force (from the label
		// net gave the node)
		out = h.must("up", "--wait", "4m")
		if !strings.Contains(out, "network faults are in force, and up does not heal them") || !strings.Contains(out, "worker02: delay 200ms") {
			t.Errorf("up did not warn of the fault:\n%s", out)
		}
		if show := h.must("net", "show"); !regexp.MustCompile(`worker02 +(netem )?delay 200ms on eth`).MatchString(show) {
			t.Errorf("after up, net show:\n%s", show)
		}
		h.must("net", "heal")
		if d := medianProbe(t, "manager02", "worker02"); d >= slow-100*time.Millisecond {
			t.Errorf("connect time %s after heal, %s with the delay", d, slow)
		}
		compareNetState(t, "after heal of the delay", before, nodeNetState(t))
		// on a kernel without netem, the delayer ran inside the node: gone too
		if out, err := exec.Command("docker", "exec", netLab+"-worker02", "ls", "/run/swarmgen-net").CombinedOutput(); err == nil {
			t.Errorf("after heal, worker02 still has /run/swarmgen-net: %s", out)
		}
	})

	for _, name := range []string{"leader-partition", "worker-partition", "slow-overlay"} {
		t.Run("drill "+name, func(t *testing.T) {
			h.waitFor("5 nodes ready", 2*time.Minute, nodesReadyAnd(5, converged("echo")))
			type result struct {
				out string
				err error
			}
			ran := make(chan result, 1)
			go func() {
				out, err := h.swarmgen("drill", name, "--json")
				ran <- result{out, err}
			}()
			// while it runs, the swarm records the drill's faults as net's
			// (the visualizer's timeline shows them); the worker is cut off
			// for tens of seconds, read here every second
			workerCut := regexp.MustCompile(`(?m)^worker0[12] manager01,manager02,manager03$`)
			var recorded string
			var r result
		wait:
			for {
				select {
				case r = <-ran:
					break wait
				case <-time.After(time.Second):
					if !workerCut.MatchString(recorded) {
						recorded = netCutLabels(t)
					}
				}
			}
			out, err := r.out, r.err
			if name == "worker-partition" && !workerCut.MatchString(recorded) {
				t.Errorf("during drill %s, the swarm recorded the cut-off as %q", name, recorded)
			}
			if left := netCutLabels(t); left != "" {
				t.Errorf("after drill %s, the swarm still records a cut-off: %q", name, left)
			}
			var rep struct {
				Passed   bool
				Timeline []struct {
					At    float64 `json:"at_s"`
					Event string
				}
				Checks []struct {
					Expect, Measured string
					OK               bool
				}
			}
			if i := strings.Index(out, "{"); i < 0 || json.Unmarshal([]byte(out[i:]), &rep) != nil {
				t.Fatalf("drill %s printed no report: %v\n%s", name, err, out)
			}
			for _, e := range rep.Timeline {
				t.Logf("DRILL %s %6.1fs %s", name, e.At, e.Event)
			}
			if err != nil || !rep.Passed || len(rep.Checks) < 2 {
				t.Errorf("drill %s: %v, passed %v, checks %+v", name, err, rep.Passed, rep.Checks)
			}
			compareNetState(t, "after drill "+name, before, nodeNetState(t))
		})
	}

	// an unknown drill is the user's error
	if out, err := h.swarmgen("drill", "no-such-drill"); exitCode(err) != 1 || !strings.Contains(out, `no drill "no-such-drill"`) {
		t.Errorf("an unknown drill: %v\n%s", err, out)
	}

	// a node that stops loses its fault with its network namespace: the up
	// that starts it again drops the record, and says nothing is in force
	h.must("net", "delay", "worker02", "50ms")
	h.must("node", "stop", "worker02")
	if out := h.must("up", "--wait", "4m"); strings.Contains(out, "network faults are in force") {
		t.Errorf("up started worker02 again and still says its delay is in force:\n%s", out)
	}
	if show := h.must("net", "show"); !strings.Contains(show, "no network fault in force") {
		t.Errorf("after worker02 was stopped and started again, net show:\n%s", show)
	}

	h.must("net", "partition", "worker01")
	h.must("net", "delay", "worker02", "50ms")
	h.must("down")
	if left := labObjects(t, netLab); left != "" {
		t.Errorf("down left objects of the lab: %s", left)
	}
	if after := hostRules(t); after != hostBefore {
		t.Errorf("the host's rules changed across the lab:\n%s\nthen\n%s", hostBefore, after)
	}
}

// probe connects, from node from's echo task, to to's echo task over the
// overlay network probe, and returns how long the TCP connect took
// (bash's /dev/tcp in the task's network namespace, timed inside it).
func probe(t *testing.T, from, to string) (time.Duration, error) {
	t.Helper()
	ip := strings.TrimSpace(nodeDocker(t, to, "inspect", "--format", `{{range $k, $v := .NetworkSettings.Networks}}{{if eq $k "probe"}}{{$v.IPAddress}}{{end}}{{end}}`, echoTask(t, to)))
	pid := strings.TrimSpace(nodeDocker(t, from, "inspect", "--format", "{{.State.Pid}}", echoTask(t, from)))
	script := `s=$EPOCHREALTIME; exec 3<>/dev/tcp/` + ip + `/8080 || exit 1; e=$EPOCHREALTIME; echo "$s $e"`
	out, err := exec.Command("docker", "exec", netLab+"-"+from, "timeout", "3", "nsenter", "-t", pid, "-n", "bash", "-c", script).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s -> %s (%s): %v: %s", from, to, ip, err, strings.TrimSpace(string(out)))
	}
	f := strings.Fields(strings.ReplaceAll(string(out), ",", "."))
	if len(f) != 2 {
		return 0, fmt.Errorf("probe printed %q", out)
	}
	s, _ := strconv.ParseFloat(f[0], 64)
	e, _ := strconv.ParseFloat(f[1], 64)
	return time.Duration((e - s) * float64(time.Second)), nil
}

func medianProbe(t *testing.T, from, to string) time.Duration {
	t.Helper()
	var ds []time.Duration
	for i := 0; i < 5; i++ {
		d, err := probe(t, from, to)
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[2]
}

func echoTask(t *testing.T, node string) string {
	t.Helper()
	ids := strings.Fields(nodeDocker(t, node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=echo"))
	if len(ids) == 0 {
		t.Fatalf("no echo task runs on %s", node)
	}
	return ids[0]
}

func nodeDocker(t *testing.T, node string, args ...string) string {
	t.Helper()
	return docker(t, append([]string{"exec", netLab + "-" + node, "docker"}, args...)...)
}

func nodeAddr(t *testing.T, node string) string {
	return docker(t, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", netLab+"-"+node)
}

// nodeNetState is each node's iptables-save, without counters, comments
// and tables that hold no rule (iptables-nft makes the mangle table when
// the delayer's chain goes in, and cannot remove an empty table; it
// changes nothing), and the qdiscs of its lab interface (those of the task
// containers' veths come and go with the tasks).
func nodeNetState(t *testing.T) map[string]string {
	t.Helper()
	counters := regexp.MustCompile(`\[\d+:\d+\]`)
	emptyTable := regexp.MustCompile(`(?m)^\*\w+\n(:[A-Z]+ ACCEPT *\n)*COMMIT\n`)
	st := map[string]string{}
	for _, n := range netNodes {
		var lines []string
		for _, l := range strings.Split(docker(t, "exec", netLab+"-"+n, "iptables-save"), "\n") {
			if !strings.HasPrefix(l, "#") {
				lines = append(lines, counters.ReplaceAllString(l, ""))
			}
		}
		rules := emptyTable.ReplaceAllString(strings.Join(lines, "\n")+"\n", "")
		st[n] = rules + qdiscs(t, n)
	}
	return st
}

// qdiscs is node n's qdiscs on its lab interface, read again while tc
// says its netlink dump was interrupted (the node's interfaces changed
// meanwhile: a drill's task came or went), up to ten times.
func qdiscs(t *testing.T, n string) string {
	t.Helper()
	for i := 0; ; i++ {
		out := docker(t, "exec", netLab+"-"+n, "tc", "qdisc", "show", "dev", "eth0")
		if !strings.Contains(out, "Dump was interrupted") || i == 9 {
			return out
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func compareNetState(t *testing.T, when string, before, after map[string]string) {
	t.Helper()
	for _, n := range netNodes {
		if before[n] != after[n] {
			t.Errorf("%s, %s's rules and qdiscs differ from before the faults:\n%s\nthen\n%s", when, n, before[n], after[n])
		}
	}
}

// hostRules is what of swarmgen's could be on the host: the chain, a
// netem of its handle.
func hostRules(t *testing.T) string {
	rules, _ := exec.Command("iptables-save").CombinedOutput()
	qdiscs, _ := exec.Command("tc", "qdisc", "show").CombinedOutput()
	var ours []string
	for _, l := range strings.Split(string(rules)+string(qdiscs), "\n") {
		if strings.Contains(l, "SWARMGEN") || strings.Contains(l, "netem 5347:") {
			ours = append(ours, l)
		}
	}
	return strings.Join(ours, "\n")
}

func eventually(limit time.Duration, f func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(time.Second)
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// netCutLabels are the nodes the swarm records cut off (HOSTNAME PEERS a
// line), read through manager02 (a drill cuts off manager01 or a worker).
func netCutLabels(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("docker", "exec", netLab+"-manager02", "sh", "-c",
		`docker node inspect --format '{{.Description.Hostname}} {{index .Spec.Labels "`+ownlabels.NetCut+`"}}' $(docker node ls -q)`).Output()
	if err != nil {
		return ""
	}
	var cut []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			cut = append(cut, line)
		}
	}
	return strings.Join(cut, "\n")
}
