package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMachineFixture proves the machines of machines_fixture_test.go by
// hand, without swarmgen: they answer only through their TLS endpoints, a
// swarm forms across them through those endpoints, a registry container on
// one of them, trusted through the engines' certs.d (written through the
// endpoint, no engine restart), serves the others, and an overlay service
// answers across machines. When TestMachines fails, this says whether the
// machines or swarmgen are to blame. It also checks the docker wrapper
// that TestMachines puts in front of swarmgen.
func TestMachineFixture(t *testing.T) {
	needImages(t, machImage, "swarmgen-e2e/registry:3", "yutsuki/echo:latest", "swarmgen-e2e/nginx-proxy:latest")
	f := newFleet(t, t.TempDir())
	start := time.Now()
	f.Add(map[string]int{"m1": 11, "w1": 21, "w2": 22})
	t.Logf("3 machines answering through TLS: %s", time.Since(start).Round(time.Millisecond))
	m1, w1, w2 := f.Get("m1"), f.Get("w1"), f.Get("w2")

	t.Run("only through TLS", func(t *testing.T) {
		// the port answers only a client with the fleet's certificate
		cmd := exec.Command("docker", "--host", m1.Endpoint(), "version")
		cmd.Env = withoutDockerEnv(os.Environ())
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("docker without TLS reached %s:\n%s", m1.Endpoint(), out)
		}
		cmd = exec.Command("docker", "--host", m1.Endpoint(), "--tlsverify", "--tlscacert", filepath.Join(m1.CertDir, "ca.pem"), "version")
		cmd.Env = withoutDockerEnv(os.Environ())
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("docker without a client certificate reached %s:\n%s", m1.Endpoint(), out)
		}
		if got := m1.Docker(t, "info", "--format", "{{.Name}} {{.Swarm.LocalNodeState}}"); got != "m1 inactive" {
			t.Errorf("m1's info: %q", got)
		}
	})

	t.Run("docker wrapper", func(t *testing.T) {
		w := newDockerWrapper(t)
		w.Forbid(t, m1)
		wrapped := func(args ...string) (string, error) {
			// as swarmgen's children find it: first on the PATH it gets
			sh := exec.Command("sh", append([]string{"-c", `docker "$@"`, "sh"}, args...)...)
			sh.Env = append(withoutDockerEnv(os.Environ()), w.Env()...)
			cmd := sh
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		for _, refused := range [][]string{
			{"exec", "anything", "true"},
			{"-H", "unix:///var/run/docker.sock", "container", "exec", "x", "true"},
			{"--context", "default", "inspect", m1.Container},
			{"cp", m1.ID[:12] + ":/etc/hostname", "-"},
		} {
			out, err := wrapped(refused...)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 97 {
				t.Errorf("wrapped docker %v: %v, want exit 97\n%s", refused, err, out)
			}
		}
		if out, err := wrapped(append(m1.DockerArgs(), "info", "--format", "{{.Name}}")...); err != nil || strings.TrimSpace(out) != "m1" {
			t.Errorf("wrapped docker through m1's endpoint: %v\n%s", err, out)
		}
		calls := w.Calls(t)
		if len(calls) != 5 || !strings.Contains(calls[4], m1.Endpoint()) {
			t.Errorf("the wrapper's log:\n%s", strings.Join(calls, "\n"))
		}
		refused := 0
		for _, c := range calls {
			if strings.HasPrefix(c, "REFUSED") {
				refused++
			}
		}
		if refused != 4 {
			t.Errorf("%d refused calls logged, want 4:\n%s", refused, strings.Join(calls, "\n"))
		}
	})

	before := map[string]machineState{}
	for _, m := range f.All() {
		before[m.Name] = m.State(t)
	}

	// the swarm, through the endpoints only
	m1.Docker(t, "swarm", "init", "--advertise-addr", m1.IP)
	token := m1.Docker(t, "swarm", "join-token", "-q", "worker")
	for _, w := range []*machine{w1, w2} {
		w.Docker(t, "swarm", "join", "--token", token, m1.IP+":2377")
	}
	waitMachines(t, "3 nodes ready", time.Minute, func() error {
		out := m1.Docker(t, "node", "ls", "--format", "{{.Hostname}} {{.Status}}")
		if strings.Count(out, "Ready") != 3 {
			return fmt.Errorf("node ls:\n%s", out)
		}
		return nil
	})
	m1.Docker(t, "node", "update", "--label-add", "tier=app", "w1")

	// a registry on m1 with a certificate of the fleet's CA; every engine
	// trusts it through certs.d, written through the endpoint
	registry := m1.IP + ":5000"
	m1.LoadImage(t, "swarmgen-e2e/registry:3")
	cert, key, err := f.pki.ServerCert("registry", m1.IP)
	if err != nil {
		t.Fatal(err)
	}
	m1.Docker(t, "volume", "create", "e2e-registry-certs")
	holder := m1.Docker(t, "create", "-v", "e2e-registry-certs:/certs", "swarmgen-e2e/registry:3")
	if out, err := m1.TryDocker(tarOf(t, map[string][]byte{"cert.pem": cert, "key.pem": key}), "cp", "-", holder+":/certs"); err != nil {
		t.Fatalf("docker cp of the registry's certificate: %v\n%s", err, out)
	}
	m1.Docker(t, "rm", holder)
	m1.Docker(t, "run", "-d", "--name", "e2e-registry", "-p", "5000:5000", "-v", "e2e-registry-certs:/certs:ro",
		"-e", "REGISTRY_HTTP_TLS_CERTIFICATE=/certs/cert.pem", "-e", "REGISTRY_HTTP_TLS_KEY=/certs/key.pem",
		"swarmgen-e2e/registry:3")
	trust := func(m *machine) {
		start := time.Now()
		writeCertsD(t, m, registry, f.pki.caPEM)
		t.Logf("%s: certs.d/%s/ca.crt written through the endpoint in %s", m.Name, registry, time.Since(start).Round(time.Millisecond))
		if got := m.HostFiles(t, certsDImage, "/etc/docker/certs.d"); strings.Join(got, " ") != registry+" "+registry+"/ca.crt" {
			t.Errorf("%s: /etc/docker/certs.d holds %q", m.Name, got)
		}
	}
	trust(m1)
	trust(w1)
	// m1 pushes what it loaded
	for _, img := range []string{"yutsuki/echo:latest", "swarmgen-e2e/nginx-proxy:latest"} {
		m1.LoadImage(t, img)
		m1.Docker(t, "tag", img, registry+"/"+img)
		m1.Docker(t, "push", "-q", registry+"/"+img)
	}
	w1.Docker(t, "pull", "-q", registry+"/yutsuki/echo:latest")
	// w2, running since before, refuses the registry until certs.d has the
	// CA, then pulls from it: the engine reads certs.d without a restart
	if out, err := w2.TryDocker(nil, "pull", "-q", registry+"/yutsuki/echo:latest"); err == nil || !strings.Contains(out, "certificate") {
		t.Errorf("w2 without the CA in certs.d: %v\n%s\nwant a certificate error", err, out)
	}
	trust(w2)
	w2.Docker(t, "pull", "-q", registry+"/yutsuki/echo:latest")

	// an overlay service on w1 (by label), reached from a host-mode port on
	// w2 through a proxy on the overlay network
	m1.Docker(t, "network", "create", "--driver", "overlay", "--attachable", "e2e-overlay")
	m1.Docker(t, "service", "create", "--detach", "--name", "echo", "--network", "e2e-overlay",
		"--endpoint-mode", "dnsrr", "--constraint", "node.labels.tier==app",
		registry+"/yutsuki/echo:latest")
	m1.Docker(t, "service", "create", "--detach", "--name", "proxy", "--network", "e2e-overlay",
		"--endpoint-mode", "dnsrr", "--constraint", "node.hostname==w2", "--env", "BACKEND_HOST=echo:8080",
		"--publish", "mode=host,published=8080,target=80", registry+"/swarmgen-e2e/nginx-proxy:latest")
	var body string
	waitMachines(t, "echo answering through the proxy on w2", 2*time.Minute, func() error {
		var err error
		body, err = httpGet("http://" + w2.IP + ":8080/")
		return err
	})
	task := m1.Docker(t, "service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}}", "echo")
	if !strings.HasPrefix(body, "Hello Docker!! from ") || task != "w1" {
		t.Errorf("through w2's proxy: %q; echo's task on %q, want w1", body, task)
	}
	t.Logf("swarm, registry and overlay service across the machines: %s", time.Since(start).Round(time.Millisecond))

	// what leaving the swarm leaves behind (what swarmgen's down must clean)
	m1.Docker(t, "service", "rm", "echo", "proxy")
	m1.Docker(t, "network", "rm", "e2e-overlay")
	for _, m := range []*machine{w1, w2, m1} {
		m.Docker(t, "swarm", "leave", "--force")
	}
	for _, m := range f.All() {
		if d := before[m.Name].Diff(m.State(t)); d != "" {
			t.Logf("%s after swarm leave, compared with before the swarm (a report, not a check):\n%s", m.Name, d)
		}
	}
	f.NoHostAccess(t)

	// the events check sees a docker exec on the host's engine (the one
	// time a machine is reached around its endpoint, to prove it would be
	// caught)
	docker(t, "exec", w1.Container, "true")
	waitMachines(t, "the host engine's events showing the exec", 10*time.Second, func() error {
		for _, a := range f.HostAccess() {
			if strings.Contains(a, `"exec_start`) && strings.Contains(a, w1.Container) {
				return nil
			}
		}
		return fmt.Errorf("HostAccess: %q", f.HostAccess())
	})
}

// certsDImage is the image writeCertsD imports on a machine: an empty
// filesystem, enough for docker create + docker cp (never started).
const certsDImage = "e2e-mach/empty:latest"

// writeCertsD puts ca into the machine's /etc/docker/certs.d/ADDR/ca.crt
// through the endpoint only: docker create of a container that bind-mounts
// certs.d, docker cp of a tar stream into it, docker rm. The engine reads
// certs.d at each pull: no restart.
func writeCertsD(t *testing.T, m *machine, addr string, ca []byte) {
	t.Helper()
	if _, err := m.TryDocker(nil, "image", "inspect", certsDImage); err != nil {
		if out, err := m.TryDocker(tarOf(t, map[string][]byte{".e2e-empty": nil}), "import", "-", certsDImage); err != nil {
			t.Fatalf("docker (machine %s) import of an empty image: %v\n%s", m.Name, err, out)
		}
	}
	cid := m.Docker(t, "create", "-v", "/etc/docker/certs.d:/certs.d", certsDImage, "/none")
	defer m.Docker(t, "rm", cid)
	if out, err := m.TryDocker(tarOf(t, map[string][]byte{addr + "/ca.crt": ca}), "cp", "-", cid+":/certs.d"); err != nil {
		t.Fatalf("docker (machine %s) cp into certs.d: %v\n%s", m.Name, err, out)
	}
}

// waitMachines polls cond until it holds or the timeout passes.
func waitMachines(t *testing.T, what string, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(time.Second)
	}
}
