package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

// loadSpec is haSpec's lab with more workers, its own name and port.
var loadSpec = strings.NewReplacer("name: e2e-ha\n", "name: e2e-load\n", "port: 15001", "port: 15020", "workers: 1\n", "workers: 3\n").
	Replace(haSpec)

const loadNodes = 6 // 3 managers + 3 workers

// TestUpUnderLoad: on a host whose CPUs are kept busy by stress-ng, where
// nodes once joined a second time (issue 8: "node X is ambiguous"), each
// of N rounds brings the lab up cold, runs up again, kills the leader's
// container and runs up once more. After every up each node is listed
// exactly once, all are ready, one leads and the service has converged;
// the ups after the cold one join no node (every node keeps its ID).
// SWARMGEN_E2E_LOAD_ROUNDS (default 1: a round takes 3-7 minutes here) and
// SWARMGEN_E2E_LOAD_CPU (stress-ng workers, default twice the cores) tune it.
func TestUpUnderLoad(t *testing.T) {
	needEngine(t)
	if _, err := exec.LookPath("stress-ng"); err != nil {
		notRunnable(t, "stress-ng is not installed; run ./e2e/provision.sh")
	}
	rounds := envInt(t, "SWARMGEN_E2E_LOAD_ROUNDS", 1)
	cpus := envInt(t, "SWARMGEN_E2E_LOAD_CPU", 2*runtime.NumCPU())
	h := newHarness(t, loadSpec)
	stressCPU(t, cpus)

	var figures []string
	for r := 1; r <= rounds; r++ {
		start := time.Now()
		if r > 1 {
			h.must("down")
		}
		var ids map[string]string // node name -> ID after the cold up
		busy := 0                 // joins the CLI gave up waiting for, or tried again
		up := func(what string) time.Duration {
			t0 := time.Now()
			out := h.must("up", "-v", "--wait", "5m")
			took := time.Since(t0)
			what = fmt.Sprintf("round %d, %s", r, what)
			busy += strings.Count(out, "continue in the background") + strings.Count(out, "trying again")
			got := checkUpUnderLoad(t, h, what, out)
			if ids == nil {
				ids = got
				return took
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.Contains(line, "joined as") || strings.Contains(line, "left a swarm") {
					t.Errorf("%s: a node of the swarm was joined again: %s", what, strings.TrimSpace(line))
				}
			}
			for name, id := range ids {
				if got[name] != id {
					t.Errorf("%s: node %s has ID %s, had %s after the cold up: it left and joined again", what, name, got[name], id)
				}
			}
			return took
		}
		cold := up("cold up")
		again := up("second up")
		leader := leaderOf(h.status())
		if leader == "" {
			t.Fatalf("round %d: no leader before the kill", r)
		}
		docker(t, "kill", "e2e-load-"+leader)
		afterKill := up("up after killing " + leader)
		figures = append(figures, fmt.Sprintf("round %d: cold up %s, second up %s, up after killing the leader %s %s; round %s; joins the CLI gave up on or tried again: %d",
			r, cold.Round(100*time.Millisecond), again.Round(100*time.Millisecond), leader,
			afterKill.Round(100*time.Millisecond), time.Since(start).Round(time.Second), busy))
		t.Log("LOAD " + figures[len(figures)-1])
	}
	t.Logf("LOAD: %d rounds under stress-ng --cpu %d on %d cores:\n%s", rounds, cpus, runtime.NumCPU(), strings.Join(figures, "\n"))
}

// checkUpUnderLoad: up said nothing of an ambiguous node, and the swarm
// lists each node once (at once: a duplicate never goes away), then all
// ready with one leader and the service converged (waited for: a node
// restarted by up may report in a little later). It returns each node's ID.
func checkUpUnderLoad(t *testing.T, h *harness, what, out string) map[string]string {
	t.Helper()
	if strings.Contains(out, "ambiguous") {
		t.Fatalf("%s: up reported an ambiguous node:\n%s", what, out)
	}
	var ids map[string]string
	h.waitFor(what, 2*time.Minute, func(st *swarmlab.Status) error {
		ids = map[string]string{}
		for _, n := range st.Nodes {
			if id, dup := ids[n.Name]; dup {
				t.Fatalf("%s: node %s is listed twice (IDs %s and %s): it joined again", what, n.Name, id, n.ID)
			}
			ids[n.Name] = n.ID
		}
		if len(st.Nodes) != loadNodes {
			return fmt.Errorf("%d nodes listed, want %d", len(st.Nodes), loadNodes)
		}
		leaders := 0
		for _, n := range st.Nodes {
			if n.State != "ready" {
				return fmt.Errorf("node %s is %s", n.Name, n.State)
			}
			if n.Leader {
				leaders++
			}
		}
		if leaders != 1 {
			return fmt.Errorf("%d leaders", leaders)
		}
		return converged("echo")(st)
	})
	return ids
}

// stressCPU keeps the host's CPUs busy with stress-ng for the rest of the
// test; its whole process group is killed at the end, whatever happens.
func stressCPU(t *testing.T, workers int) {
	t.Helper()
	cmd := exec.Command("stress-ng", "--cpu", strconv.Itoa(workers), "--timeout", "2h", "--quiet")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("stress-ng: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number above 0", name, v)
	}
	return n
}
