package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

// TestEngineRestart runs a small lab on a private dockerd of its own and
// restarts that engine as a host shutdown does: SIGTERM (dockerd stops
// every container), then the same dockerd again. The lab must come back by
// itself, without swarmgen start (its restart policy): the same node IDs,
// the service converged, the same registry catalog. After swarmgen stop,
// an engine restart must leave it stopped, and swarmgen start bring it
// back. The host's engine and its containers are not touched.
//
// The private engine keeps nothing of the host's: its own socket,
// data-root, exec-root and pidfile, a daemon.json of its own (not
// /etc/docker/daemon.json), its own containerd namespaces, and its own
// default bridge. Two of dockerd's defaults would harm the host's engine:
//   - --iptables (default true) flushes and rebuilds the DOCKER chains the
//     host's engine has filled, so its published ports stop working:
//     --iptables=false (with --ip-masq=false, --ip-forward=false: no sysctl
//     or NAT change either). Published ports then go through docker-proxy,
//     which listens in the host's network namespace as usual.
//   - --bridge=none deletes the host's docker0 at startup (dockerd's
//     removeDefaultBridgeInterface; seen here), and --bip alone would take
//     docker0 over: the engine gets a bridge of its own, created here
//     (--bridge=swarmgen-er0). No --default-address-pool either: with it,
//     a restarted dockerd deletes docker0 too (moby's source; not tried).
//
// Without iptables rules of its own, the lab network's traffic between
// containers is bridged, and with br_netfilter's bridge-nf-call-iptables=1
// bridged packets go through the host's FORWARD chain, whose policy the
// host's engine sets to DROP: node-to-node traffic is dropped (seen here).
// So the test appends one rule to FORWARD accepting traffic inside the lab
// subnet (no Docker chain is touched) and deletes it at the end.
//
// The private engine's data-root is kept in the e2e cache
// ($SWARMGEN_E2E_CACHE/engine-restart, default /var/cache/swarmgen-e2e):
// only images whose ID differs from the host engine's are loaded (docker
// save | docker load), every other image and every container, network and
// volume there is removed, so it holds just the lab's images.
func TestEngineRestart(t *testing.T) {
	needEngine(t)
	dockerd := needPrivateEngine(t)
	setup := time.Now()
	docker0 := linkAddrs("docker0")
	t.Cleanup(func() { // runs last, once the private engine is gone
		// the host's default bridge, which dockerd --bridge=none deletes
		if now := linkAddrs("docker0"); docker0 != "" && now != docker0 {
			t.Errorf("the host's docker0 changed during the test: %q, then %q", docker0, now)
		}
	})

	e := startPrivateEngine(t, dockerd, erImages)
	h := newHarness(t, smallLab(erLab, erRegistryPort)+"lab_network:\n  subnet: "+erSubnet+"\n", e.env()...)
	t.Logf("TIMING setup (lock, private engine, images, go build): %s", time.Since(setup).Round(time.Millisecond))

	start := time.Now()
	h.must("up", "--wait", "4m")
	t.Logf("TIMING cold up on the private engine: %s", time.Since(start).Round(time.Millisecond))
	st := h.waitFor("2 nodes ready, echo converged", time.Minute, nodesReadyAnd(2, converged("echo")))
	t.Logf("nodes: %+v", st.Nodes)
	// every docker command of swarmgen and its scripts went to DOCKER_HOST
	for _, kind := range []string{"container", "network", "volume"} {
		if on := docker(t, kind, "ls", "-q", "--filter", "label=dev.swarmgen.lab="+erLab); on != "" {
			t.Errorf("the host's engine has %ss of the lab, which runs on the private engine: %s", kind, on)
		}
	}
	if on := e.docker("ps", "-q", "--filter", "label=dev.swarmgen.lab="+erLab); len(strings.Fields(on)) != 3 {
		t.Errorf("the private engine runs %d containers of the lab, want 3 (registry, manager, worker): %s", len(strings.Fields(on)), on)
	}
	catalog, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/v2/_catalog", erRegistryPort))
	if err != nil || !strings.Contains(catalog, `"yutsuki/echo"`) {
		t.Fatalf("registry catalog %q (%v) lacks yutsuki/echo", catalog, err)
	}

	// The lab comes back by itself: its containers' restart policy
	// (auto_restart, on by default) starts them with the engine, and the
	// swarm re-forms with the same node IDs. Nobody runs swarmgen start.
	ids := nodeIDs(h.status())
	restarted := restartEngine(t, e)
	st = waitThrough(h, "the lab back by itself after the engine restart", 3*time.Minute, nodesReadyAnd(2, converged("echo")))
	t.Logf("TIMING lab back by itself (2 nodes ready, echo converged, no swarmgen start): %s after the engine answered again", time.Since(restarted).Round(100*time.Millisecond))
	if again := nodeIDs(st); again != ids {
		t.Errorf("node IDs changed across the engine restart:\n%s\nthen\n%s", ids, again)
	}
	if again, _ := httpGet(fmt.Sprintf("http://127.0.0.1:%d/v2/_catalog", erRegistryPort)); again != catalog {
		t.Errorf("registry catalog changed across the engine restart: %q then %q", catalog, again)
	}

	// swarmgen stop is for good: the stopped lab stays stopped across an
	// engine restart, and swarmgen start brings it back.
	stopAndStart(t, h, erLab, erRegistryPort, "swarmgen stop and a restart of the engine", func() {
		h.must("stop")
		restartEngine(t, e)
		// dockerd starts the containers of a restart policy as it comes up;
		// watch a little longer all the same
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
			if running := e.docker("ps", "-q", "--filter", "label=dev.swarmgen.lab="+erLab); running != "" {
				t.Fatalf("the stopped lab's containers started with the engine: %s", running)
			}
		}
	}, "echo")
	h.waitFor("both nodes ready after the restart", time.Minute, nodesReadyAnd(2, converged("echo")))
}

// restartEngine stops the private engine as a host shutdown does and
// starts it again; it returns when the engine answered again.
func restartEngine(t *testing.T, e *privateEngine) time.Time {
	t.Helper()
	stopped := time.Now()
	if err := e.stop(90 * time.Second); err != nil {
		t.Fatalf("%v\n%s", err, e.logTail(40))
	}
	t.Logf("TIMING private dockerd stopped (SIGTERM until exit): %s", time.Since(stopped).Round(time.Millisecond))
	started := time.Now()
	e.start()
	t.Logf("TIMING private dockerd started again: %s", time.Since(started).Round(time.Millisecond))
	return time.Now()
}

// waitThrough is waitFor for a lab that is coming back: status may fail
// for a while (no manager answers yet) before cond holds.
func waitThrough(h *harness, what string, timeout time.Duration, cond func(*swarmlab.Status) error) *swarmlab.Status {
	h.t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(time.Second) {
		st, err := h.tryStatus()
		if err == nil {
			if err = cond(st); err == nil {
				return st
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
	}
}

// The private engine's names, addresses and paths, apart from every other
// e2e lab (names e2e, e2e-ha, e2e-a, e2e-b; registry ports 15000-15004,
// 19000; subnets in 10.247.0.0/16) and from the host's engine.
const (
	erLab          = "e2e-engine-restart"
	erRegistryPort = 15006
	erSubnet       = "10.246.6.0/24"        // the lab network
	erBridge       = "swarmgen-er0"         // the private engine's default bridge
	erBridgeAddr   = "10.246.7.1/24"        // its address (dockerd wants one)
	erRun          = "/run/swarmgen-e2e-er" // socket, pidfile, log, daemon.json, exec-root
	erComment      = "swarmgen-e2e-engine-restart"
	erNamespace    = "swarmgen-e2e-er" // containerd's, if dockerd uses a system containerd
)

// erImages are the images the small lab needs on the private engine.
var erImages = []string{"swarmgen-e2e/dind:bookworm", "swarmgen-e2e/registry:3", "yutsuki/echo:latest"}

// needPrivateEngine returns dockerd's path, or skips (fails under
// SWARMGEN_REQUIRE_E2E=1) when a private dockerd cannot run here.
func needPrivateEngine(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		notRunnable(t, t.Name()+" runs a dockerd of its own, which needs root")
	}
	if _, err := lookPathSbin("ip"); err != nil {
		notRunnable(t, t.Name()+" needs ip (iproute2) for the private engine's bridge")
	}
	dockerd, err := lookPathSbin("dockerd")
	if err != nil {
		notRunnable(t, t.Name()+" needs dockerd on PATH or in /usr/sbin; install docker.io (./e2e/provision.sh does)")
	}
	return dockerd
}

func lookPathSbin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return filepath.Join(dir, name), nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// privateEngine is a dockerd this test starts, stops and starts again.
type privateEngine struct {
	t        *testing.T
	dockerd  string
	dataRoot string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has exited
	images   []string      // the host engine's images it holds
}

func (e *privateEngine) host() string    { return "unix://" + filepath.Join(erRun, "docker.sock") }
func (e *privateEngine) env() []string   { return []string{"DOCKER_HOST=" + e.host()} }
func (e *privateEngine) pidfile() string { return filepath.Join(erRun, "dockerd.pid") }
func (e *privateEngine) logPath() string { return filepath.Join(erRun, "dockerd.log") }

// args are the same at every start.
func (e *privateEngine) args() []string {
	return []string{
		"--config-file=" + filepath.Join(erRun, "daemon.json"),
		"--host=" + e.host(),
		"--data-root=" + e.dataRoot,
		"--exec-root=" + filepath.Join(erRun, "exec"),
		"--pidfile=" + e.pidfile(),
		"--bridge=" + erBridge,
		"--iptables=false", "--ip6tables=false", "--ip-masq=false", "--ip-forward=false",
		"--containerd-namespace=" + erNamespace, "--containerd-plugins-namespace=" + erNamespace + "-plugins",
	}
}

func (e *privateEngine) docker(args ...string) string {
	e.t.Helper()
	return dockerEnv(e.t, e.env(), args...)
}

func (e *privateEngine) tryDocker(args ...string) (string, error) {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), e.env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("docker %s (on the private engine): %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

func (e *privateEngine) logTail(n int) string {
	raw, err := os.ReadFile(e.logPath())
	if err != nil {
		return fmt.Sprintf("(no log of the private dockerd: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("---- private dockerd's log %s, last %d lines ----\n%s", e.logPath(), len(lines), strings.Join(lines, "\n"))
}

// startPrivateEngine takes the test's lock, clears what an interrupted
// run left, starts the private dockerd with images (of the host's engine;
// no other image), and stops and removes it all when the test ends.
func startPrivateEngine(t *testing.T, dockerd string, images []string) *privateEngine {
	t.Helper()
	cache := os.Getenv("SWARMGEN_E2E_CACHE")
	if cache == "" {
		cache = "/var/cache/swarmgen-e2e"
	}
	cache = filepath.Join(cache, "engine-restart")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	lockTest(t, filepath.Join(cache, "lock"))
	e := &privateEngine{t: t, dockerd: dockerd, dataRoot: filepath.Join(cache, "data-root"), images: images}

	t0 := time.Now()
	if err := e.clearLeftovers(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(e.logTail(40))
			root, _ := filepath.Abs("..")
			dir := filepath.Join(root, "e2e", "out", "logs-"+t.Name())
			if raw, err := os.ReadFile(e.logPath()); err == nil && os.MkdirAll(dir, 0o755) == nil {
				_ = os.WriteFile(filepath.Join(dir, "private-dockerd.log"), raw, 0o644)
			}
		}
		if e.cmd != nil {
			// the lab is down (newHarness's cleanup ran first); drop
			// anything else so that the cache holds only images
			if err := e.reset(); err != nil {
				t.Errorf("emptying the private engine: %v", err)
			}
			if err := e.stop(90 * time.Second); err != nil {
				t.Errorf("stopping the private dockerd: %v\n%s", err, e.logTail(20))
			}
		}
		if err := e.clearLeftovers(); err != nil {
			t.Error(err)
		}
	})

	if err := e.prepare(); err != nil {
		t.Fatal(err)
	}
	if err := e.tryStart(); err != nil {
		// a data-root this dockerd cannot use (another version, damaged):
		// start again from an empty one
		t.Logf("the private dockerd did not start with the cached data-root, emptying it: %v\n%s", err, e.logTail(20))
		if err := e.stop(30 * time.Second); err != nil {
			t.Log(err)
		}
		if err := e.clearLeftovers(); err != nil {
			t.Fatal(err)
		}
		if err := safeRemoveAll(e.dataRoot); err != nil {
			t.Fatal(err)
		}
		if err := e.prepare(); err != nil {
			t.Fatal(err)
		}
		e.start()
	}
	t.Logf("TIMING private dockerd answering: %s (%s %s)", time.Since(t0).Round(time.Millisecond), e.dockerd, strings.Join(e.args(), " "))
	if err := e.reset(); err != nil {
		t.Fatal(err)
	}
	if used := subnetUsers(erSubnet); len(used) > 0 {
		t.Fatalf("the lab subnet %s is already used on this host by %s; %s needs it for itself", erSubnet, strings.Join(used, ", "), t.Name())
	}
	t1 := time.Now()
	loaded := e.syncImages()
	if len(loaded) == 0 {
		t.Logf("TIMING images: all %d in the private engine's cache already (%s)", len(images), time.Since(t1).Round(time.Millisecond))
	} else {
		t.Logf("TIMING images: loaded %s from the host's engine in %s", strings.Join(loaded, ", "), time.Since(t1).Round(time.Millisecond))
	}
	return e
}

// prepare makes the private engine's directories, its empty daemon.json
// (nothing of the host's /etc/docker/daemon.json), its bridge and the
// FORWARD rule.
func (e *privateEngine) prepare() error {
	if err := os.MkdirAll(filepath.Join(erRun, "exec"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(erRun, "daemon.json"), []byte("{}\n"), 0o644); err != nil {
		return err
	}
	bridgeNet := netip.MustParsePrefix(erBridgeAddr).Masked().String()
	if used := subnetUsers(bridgeNet); len(used) > 0 {
		return fmt.Errorf("the private engine's bridge subnet %s is already used on this host by %s", bridgeNet, strings.Join(used, ", "))
	}
	for _, args := range [][]string{
		{"link", "add", erBridge, "type", "bridge"},
		{"addr", "add", erBridgeAddr, "dev", erBridge},
		{"link", "set", erBridge, "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return addForwardRule()
}

// lockTest keeps two runs of this test (e.g. from two checkouts) from
// sharing the private engine's paths, cache and addresses.
func lockTest(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	asked := time.Now()
	for deadline, said := asked.Add(5*time.Minute), false; ; time.Sleep(time.Second) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			if said {
				t.Logf("TIMING waited %s for the other test of the private engine", time.Since(asked).Round(time.Millisecond))
			}
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			t.Fatalf("lock %s (another test of the private engine runs?): %v", path, err)
		}
		if !said {
			t.Logf("waiting for another test of the private engine (lock %s)", path)
			said = true
		}
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}

func (e *privateEngine) start() {
	e.t.Helper()
	if err := e.tryStart(); err != nil {
		e.t.Fatalf("%v\n%s", err, e.logTail(40))
	}
}

// tryStart starts dockerd with args() and waits until it answers.
func (e *privateEngine) tryStart() error {
	logf, err := os.OpenFile(e.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "==== %s: starting %s %s\n", time.Now().Format(time.RFC3339), e.dockerd, strings.Join(e.args(), " "))
	cmd := exec.Command(e.dockerd, e.args()...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the private dockerd: %v", err)
	}
	e.cmd = cmd
	e.exited = make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(e.exited)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if _, err := e.tryDocker("version"); err == nil {
			return nil
		}
		select {
		case <-e.exited:
			e.cmd = nil
			return fmt.Errorf("the private dockerd exited at start: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the private dockerd (pid %d) does not answer on %s within a minute", cmd.Process.Pid, e.host())
		}
	}
}

// stop stops dockerd as a host shutdown does: SIGTERM to the pid in its
// pidfile (dockerd stops its containers and exits), then waits until it
// has exited. After timeout it kills dockerd and what it started and
// returns an error.
func (e *privateEngine) stop(timeout time.Duration) error {
	if e.cmd == nil {
		return nil
	}
	defer func() { e.cmd = nil }()
	pid := e.cmd.Process.Pid // the same as in its pidfile, checked below
	var pidErr error
	if raw, err := os.ReadFile(e.pidfile()); err != nil {
		pidErr = fmt.Errorf("the private dockerd (pid %d) wrote no pidfile: %v", pid, err)
	} else if noted, _ := strconv.Atoi(strings.TrimSpace(string(raw))); noted != pid {
		pidErr = fmt.Errorf("%s says pid %q, but the private dockerd is pid %d", e.pidfile(), raw, pid)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM to the private dockerd (pid %d): %v", pid, err)
	}
	select {
	case <-e.exited:
		return pidErr
	case <-time.After(timeout):
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	select {
	case <-e.exited:
	case <-time.After(10 * time.Second):
	}
	killUsers(erRun)
	return fmt.Errorf("the private dockerd (pid %d) still ran %s after SIGTERM", pid, timeout)
}

// reset removes every container, network and volume of the private
// engine: they are all this test's.
func (e *privateEngine) reset() error {
	ids, err := e.tryDocker("ps", "-aq")
	if err != nil {
		return err
	}
	if ids != "" {
		if _, err := e.tryDocker(append([]string{"rm", "-f", "-v"}, strings.Fields(ids)...)...); err != nil {
			return err
		}
	}
	if _, err := e.tryDocker("network", "prune", "-f"); err != nil {
		return err
	}
	_, err = e.tryDocker("volume", "prune", "-f")
	return err
}

// syncImages loads the lab's images whose ID on the private engine
// differs from the host engine's, in one docker save | docker load, and
// removes every other image of the private engine. It returns the images
// it loaded.
func (e *privateEngine) syncImages() []string {
	t := e.t
	t.Helper()
	keep := map[string]bool{}
	var stale []string
	for _, img := range e.images {
		id := docker(t, "image", "inspect", "--format", "{{.Id}}", img)
		keep[id] = true
		if got, err := e.tryDocker("image", "inspect", "--format", "{{.Id}}", img); err != nil || got != id {
			stale = append(stale, img)
		}
	}
	if len(stale) > 0 {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		save := exec.Command("docker", append([]string{"save"}, stale...)...)
		load := exec.Command("docker", "load", "-q")
		load.Env = append(os.Environ(), e.env()...)
		var saveErr, loadOut strings.Builder
		save.Stdout, save.Stderr = w, &saveErr
		load.Stdin, load.Stdout, load.Stderr = r, &loadOut, &loadOut
		if err := load.Start(); err != nil {
			t.Fatal(err)
		}
		errSave := save.Run()
		w.Close()
		errLoad := load.Wait()
		r.Close()
		if errSave != nil || errLoad != nil {
			t.Fatalf("docker save %s | docker load (private engine): save: %v %s; load: %v %s",
				strings.Join(stale, " "), errSave, saveErr.String(), errLoad, loadOut.String())
		}
	}
	ids, _ := e.tryDocker("image", "ls", "-q", "--no-trunc")
	for _, id := range strings.Fields(ids) {
		if !keep[id] {
			keep[id] = true // once per image, whatever its tags
			if _, err := e.tryDocker("rmi", "-f", id); err != nil {
				t.Logf("removing an old image from the private engine's cache: %v", err)
			}
		}
	}
	return stale
}

// clearLeftovers makes sure no private dockerd of this test runs (one
// left by an interrupted run is stopped: its pidfile and command line
// name this test's paths), then unmounts what is mounted under its
// directories, removes erRun, the bridge and the FORWARD rule. The cached
// data-root stays.
func (e *privateEngine) clearLeftovers() error {
	if raw, err := os.ReadFile(e.pidfile()); err == nil {
		pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if pid > 0 && strings.Contains(string(cmdline), "--pidfile="+e.pidfile()) {
			e.t.Logf("stopping the private dockerd (pid %d) an interrupted run left", pid)
			_ = syscall.Kill(pid, syscall.SIGTERM)
			for deadline := time.Now().Add(90 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(200 * time.Millisecond) {
				if time.Now().After(deadline) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
					break
				}
			}
		}
	}
	killUsers(erRun)
	var errs []string
	for _, dir := range []string{erRun, e.dataRoot} {
		if err := unmountUnder(dir); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if err := safeRemoveAll(erRun); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := os.Stat("/sys/class/net/" + erBridge); err == nil {
		if out, err := exec.Command("ip", "link", "del", erBridge).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Sprintf("ip link del %s: %v: %s", erBridge, err, out))
		}
	}
	removeForwardRule()
	if len(errs) > 0 {
		return fmt.Errorf("cleaning up the private engine: %s", strings.Join(errs, "; "))
	}
	return nil
}

// killUsers kills what is left of a killed private dockerd: dockerd,
// containerd and shims whose command lines name dir. Each by its pid.
func killUsers(dir string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(cmdline), dir+"/") {
			continue
		}
		switch filepath.Base(strings.SplitN(string(cmdline), "\x00", 2)[0]) {
		case "dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2":
		default:
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// mountsUnder lists the mount points at or under dir, deepest first.
func mountsUnder(dir string) []string {
	if !filepath.IsAbs(dir) || filepath.Clean(dir) == "/" {
		panic("mountsUnder " + dir)
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		m := unescapeMount(fields[4])
		if m == dir || strings.HasPrefix(m, dir+"/") {
			mounts = append(mounts, m)
		}
	}
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i]) > len(mounts[j]) })
	return mounts
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unmountUnder(dir string) error {
	for _, m := range mountsUnder(dir) {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			return fmt.Errorf("unmount %s: %v", m, err)
		}
	}
	if left := mountsUnder(dir); len(left) > 0 {
		return fmt.Errorf("still mounted under %s: %s", dir, strings.Join(left, " "))
	}
	return nil
}

// safeRemoveAll removes dir unless something is mounted under it.
func safeRemoveAll(dir string) error {
	if left := mountsUnder(dir); len(left) > 0 {
		return fmt.Errorf("not removing %s: mounted under it: %s", dir, strings.Join(left, " "))
	}
	return os.RemoveAll(dir)
}

// forwardRule accepts the lab network's traffic between its containers
// in the host's FORWARD chain (see TestEngineRestart).
var forwardRule = []string{"FORWARD", "-s", erSubnet, "-d", erSubnet, "-m", "comment", "--comment", erComment, "-j", "ACCEPT"}

// addForwardRule appends forwardRule when bridged traffic goes through
// iptables (br_netfilter with bridge-nf-call-iptables=1).
func addForwardRule() error {
	if raw, err := os.ReadFile("/proc/sys/net/bridge/bridge-nf-call-iptables"); err != nil || strings.TrimSpace(string(raw)) != "1" {
		return nil
	}
	iptables, err := lookPathSbin("iptables")
	if err != nil {
		return errors.New("bridge-nf-call-iptables is 1, so the private engine's lab traffic goes through the FORWARD chain, and iptables is not installed to let it pass")
	}
	removeForwardRule()
	if out, err := exec.Command(iptables, append([]string{"-w", "-A"}, forwardRule...)...).CombinedOutput(); err != nil {
		return fmt.Errorf("iptables -A %s: %v\n%s", strings.Join(forwardRule, " "), err, out)
	}
	return nil
}

func removeForwardRule() {
	iptables, err := lookPathSbin("iptables")
	if err != nil {
		return
	}
	for i := 0; i < 10; i++ { // every copy an interrupted run left
		if exec.Command(iptables, append([]string{"-w", "-D"}, forwardRule...)...).Run() != nil {
			return
		}
	}
}

// subnetUsers names the interfaces with an address in subnet.
func subnetUsers(subnet string) []string {
	p := netip.MustParsePrefix(subnet)
	out, _ := exec.Command("ip", "-o", "-4", "addr", "show").Output()
	var users []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line) // 3: eth0    inet 10.0.0.2/24 ...
		if len(f) >= 4 && f[2] == "inet" {
			if a, err := netip.ParsePrefix(f[3]); err == nil && p.Overlaps(a) {
				users = append(users, f[1]+" ("+f[3]+")")
			}
		}
	}
	return users
}

// linkAddrs is the IPv4 addresses of interface name, "" if it is absent.
func linkAddrs(name string) string {
	if _, err := os.Stat("/sys/class/net/" + name); err != nil {
		return ""
	}
	out, _ := exec.Command("ip", "-o", "-4", "addr", "show", "dev", name).Output()
	var addrs []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[2] == "inet" {
			addrs = append(addrs, f[3])
		}
	}
	return name + " " + strings.Join(addrs, " ")
}

// nodesReadyAnd holds when n nodes are ready and then cond holds.
func nodesReadyAnd(n int, cond func(*swarmlab.Status) error) func(*swarmlab.Status) error {
	return func(st *swarmlab.Status) error {
		ready := 0
		for _, node := range st.Nodes {
			if node.State == "ready" {
				ready++
			}
		}
		if ready != n || len(st.Nodes) != n {
			return fmt.Errorf("%d of %d nodes ready, want %d: %+v", ready, len(st.Nodes), n, st.Nodes)
		}
		return cond(st)
	}
}
