package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The "machines" of the real-machines tests: containers of the dind node
// image, each running its own dockerd, on a network of their own, whose
// engines are reachable from the test ONLY as a Docker endpoint with mutual
// TLS (tcp://127.0.0.1:PORT): swarmgen sees them exactly as it would see
// real hosts. Nothing here knows about swarmgen's spec; the tests that use
// the fleet write the spec themselves.
//
// Everything the fixture makes is named e2e-mach-* and labelled
// machineLabel, and removed in t.Cleanup (a fleet left by an interrupted run
// is removed when the next one starts); no other container is touched.
const (
	machPrefix  = "e2e-mach"
	machNetwork = machPrefix + "-net"
	machLabel   = "e2e.swarmgen.machine" // on the fixture's containers and network: value = machine name
	machSubnet  = "10.249.11.0/24"       // apart from the labs' 10.247.0.0/16 and the engines' 172.17+ pools
	machGateway = "10.249.11.1"
	machTLSPort = 2376
	machTLSDir  = "/etc/docker/e2e-tls" // the server's certificate inside the machine
	machImage   = "swarmgen-e2e/dind:bookworm"
	machWaitUp  = 90 * time.Second
)

// machineIP is the fixed address of the machine with index i on machNetwork
// (managers take .11..., workers .21...: the caller picks i).
func machineIP(i int) string { return fmt.Sprintf("10.249.11.%d", i) }

// fleet is the set of machines of one test, with the PKI their engines trust
// and a watch on the host engine's events for the machine containers.
type fleet struct {
	t         *testing.T
	pki       *testPKI
	certRoot  string // <certRoot>/<name>/{ca,cert,key}.pem: the client's TLS material for each machine
	serverTLS string // server certificates, copied into the machines

	mu       sync.Mutex
	machines []*machine
	events   *hostEvents
}

// machine is one machine of a fleet.
type machine struct {
	Name      string // also its hostname
	Container string // e2e-mach-NAME on the host's engine (the test never uses it to reach the engine)
	ID        string // the container's full ID
	IP        string // fixed address on machNetwork: the machine's own IP
	Port      int    // host port on 127.0.0.1 published for the engine's TLS port 2376
	CertDir   string // client TLS material (DOCKER_CERT_PATH layout: ca.pem cert.pem key.pem)
	readyAt   int64  // UnixNano: from then on the host engine must see nothing but swarmgen's absence
}

// Endpoint is the machine's Docker endpoint, as a spec names it.
func (m *machine) Endpoint() string { return fmt.Sprintf("tcp://127.0.0.1:%d", m.Port) }

// DockerArgs are the docker CLI's global options that reach the machine.
func (m *machine) DockerArgs() []string {
	return []string{"--host", m.Endpoint(), "--tlsverify",
		"--tlscacert", filepath.Join(m.CertDir, "ca.pem"),
		"--tlscert", filepath.Join(m.CertDir, "cert.pem"),
		"--tlskey", filepath.Join(m.CertDir, "key.pem")}
}

// TryDocker runs docker against the machine's engine (never the host's: no
// DOCKER_HOST or DOCKER_CONTEXT of the caller's environment applies).
func (m *machine) TryDocker(stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("docker", append(m.DockerArgs(), args...)...)
	cmd.Env = withoutDockerEnv(os.Environ())
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// Docker is TryDocker that fails the test on an error.
func (m *machine) Docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := m.TryDocker(nil, args...)
	if err != nil {
		t.Fatalf("docker (machine %s) %s: %v\n%s", m.Name, strings.Join(args, " "), err, out)
	}
	return out
}

// withoutDockerEnv drops the variables that would point docker elsewhere.
func withoutDockerEnv(env []string) []string {
	var out []string
	for _, e := range env {
		switch strings.SplitN(e, "=", 2)[0] {
		case "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH":
			continue
		}
		out = append(out, e)
	}
	return out
}

// newFleet prepares a fleet whose client certificates live under certRoot
// (a directory of the spec's tree: certs/<name>); machines start with Add.
// It removes what an interrupted run left, creates the machines' network,
// and registers the cleanup of everything it makes.
func newFleet(t *testing.T, certRoot string) *fleet {
	t.Helper()
	needImages(t, machImage)
	f := &fleet{t: t, pki: newTestPKI(t), certRoot: certRoot, serverTLS: t.TempDir()}
	removeFleetLeftovers(t)
	docker(t, "network", "create", "--driver", "bridge", "--subnet", machSubnet, "--gateway", machGateway,
		"--label", machLabel+"=network", machNetwork)
	f.events = watchHostEvents(t)
	t.Cleanup(func() {
		if t.Failed() {
			f.dumpLogs()
		}
		f.events.stop()
		removeFleetLeftovers(t)
	})
	return f
}

// needImages skips loudly (fails under SWARMGEN_REQUIRE_E2E=1) without an
// engine or without one of images: what the machines need, less than
// needEngine's whole list (no compose).
func needImages(t *testing.T, images ...string) {
	t.Helper()
	if err := exec.Command("docker", "info").Run(); err != nil {
		notRunnable(t, "missing a running Docker engine; run ./e2e/provision.sh (or ./test.sh) first")
	}
	for _, img := range images {
		if err := exec.Command("docker", "image", "inspect", img).Run(); err != nil {
			notRunnable(t, "missing image "+img+"; run ./e2e/provision.sh (or ./test.sh) first")
		}
	}
}

// removeFleetLeftovers removes the fixture's containers (with their
// anonymous /var/lib/docker volumes) and network: only those labelled
// machLabel and named e2e-mach-*.
func removeFleetLeftovers(t *testing.T) {
	out, _ := exec.Command("docker", "ps", "-aq", "--filter", "label="+machLabel, "--filter", "name=^"+machPrefix+"-").Output()
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		if b, err := exec.Command("docker", append([]string{"rm", "-f", "-v"}, ids...)...).CombinedOutput(); err != nil {
			t.Errorf("removing the machines %v: %v\n%s", ids, err, b)
		}
	}
	out, _ = exec.Command("docker", "network", "ls", "-q", "--filter", "label="+machLabel, "--filter", "name=^"+machNetwork+"$").Output()
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		if b, err := exec.Command("docker", "network", "rm", machNetwork).CombinedOutput(); err != nil {
			t.Errorf("removing network %s: %v\n%s", machNetwork, err, b)
		}
	}
}

// Add starts machines (name -> index of its address, machineIP) in
// parallel and waits until each engine answers through its TLS endpoint.
func (f *fleet) Add(names map[string]int) []*machine {
	f.t.Helper()
	var order []string
	for n := range names {
		order = append(order, n)
	}
	sort.Strings(order)
	ms := make([]*machine, len(order))
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for i, n := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ms[i], errs[i] = f.start(n, machineIP(names[n]))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			f.t.Fatal(err)
		}
	}
	f.mu.Lock()
	f.machines = append(f.machines, ms...)
	f.mu.Unlock()
	return ms
}

// Get returns the machine called name.
func (f *fleet) Get(name string) *machine {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.machines {
		if m.Name == name {
			return m
		}
	}
	f.t.Fatalf("no machine %s", name)
	return nil
}

// All returns the fleet's machines in the order they were added.
func (f *fleet) All() []*machine {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*machine(nil), f.machines...)
}

// start creates the container of one machine, copies the server's TLS
// material in before it starts (no bind mount: a real host keeps its own
// files), starts it and waits for its endpoint.
func (f *fleet) start(name, ip string) (*machine, error) {
	m := &machine{Name: name, Container: machPrefix + "-" + name, IP: ip, CertDir: filepath.Join(f.certRoot, name)}
	srv := filepath.Join(f.serverTLS, name)
	if err := f.pki.writeServer(srv, name, ip); err != nil {
		return nil, err
	}
	if err := f.pki.writeClient(m.CertDir); err != nil {
		return nil, err
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command("docker", args...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("machine %s: docker %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	id, err := run("create", "--name", m.Container, "--hostname", name,
		"--label", machLabel+"="+name,
		"--network", machNetwork, "--ip", ip,
		"--publish", fmt.Sprintf("127.0.0.1::%d", machTLSPort),
		// what privileged would give, minus what this kernel refuses (ENVIRONMENT.md)
		"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
		"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
		"--device-cgroup-rule", "a *:* rwm",
		machImage,
		// the entrypoint prepends dockerd --host=unix:///var/run/docker.sock
		fmt.Sprintf("--host=tcp://0.0.0.0:%d", machTLSPort), "--tlsverify",
		"--tlscacert="+machTLSDir+"/ca.pem", "--tlscert="+machTLSDir+"/cert.pem", "--tlskey="+machTLSDir+"/key.pem")
	if err != nil {
		return nil, err
	}
	m.ID = id
	if _, err := run("cp", srv, m.Container+":"+machTLSDir); err != nil {
		return nil, err
	}
	if _, err := run("start", m.Container); err != nil {
		return nil, err
	}
	port, err := run("port", m.Container, fmt.Sprintf("%d/tcp", machTLSPort))
	if err != nil {
		return nil, err
	}
	_, p, err := net.SplitHostPort(strings.Fields(port)[0])
	if err == nil {
		m.Port, err = strconv.Atoi(p)
	}
	if err != nil {
		return nil, fmt.Errorf("machine %s: docker port printed %q: %v", name, port, err)
	}
	deadline := time.Now().Add(machWaitUp)
	for {
		out, err := m.TryDocker(nil, "version", "--format", "{{.Server.Version}}")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := exec.Command("docker", "logs", "--tail", "30", m.Container).CombinedOutput()
			return nil, fmt.Errorf("machine %s: its engine did not answer on %s within %s: %v\n%s\nlogs:\n%s",
				name, m.Endpoint(), machWaitUp, err, out, logs)
		}
		time.Sleep(300 * time.Millisecond)
	}
	m.readyAt = time.Now().UnixNano()
	return m, nil
}

// dumpLogs logs the tail of each machine's dockerd log (read from the host:
// for the test's diagnosis only).
func (f *fleet) dumpLogs() {
	for _, m := range f.All() {
		out, _ := exec.Command("docker", "logs", "--tail", "40", m.Container).CombinedOutput()
		f.t.Logf("machine %s: last lines of its dockerd log:\n%s", m.Name, out)
	}
}

// NoHostAccess fails the test for each of HostAccess's findings.
func (f *fleet) NoHostAccess(t *testing.T) {
	t.Helper()
	for _, a := range f.HostAccess() {
		t.Errorf("%s: the machines must be reached only through their endpoints", a)
	}
}

// HostAccess lists what the host's engine saw, since each machine became
// ready, that reaches into a machine container from the host: an exec
// (docker exec, swarmgen's exec dialer), an attach, a docker cp in or out,
// an export, a commit, a pause or a stop. Whoever asked the host's engine,
// the machines are to be managed through their endpoints only.
func (f *fleet) HostAccess() []string {
	ready := map[string]int64{}
	for _, m := range f.All() {
		ready[m.ID] = m.readyAt
	}
	var found []string
	for _, ev := range f.events.snapshot() {
		at, ok := ready[ev.ID]
		if !ok || ev.TimeNano < at {
			continue // the fixture's own setup, before the machine was handed over
		}
		switch strings.SplitN(ev.Action, ":", 2)[0] {
		case "exec_create", "exec_start", "exec_die", "attach", "archive-path", "extract-to-dir",
			"export", "commit", "top", "pause", "unpause", "kill", "stop", "restart", "update", "rename":
			found = append(found, fmt.Sprintf("the host's engine saw %q on machine container %s at %s",
				ev.Action, ev.Actor.Attributes["name"], time.Unix(0, ev.TimeNano).UTC().Format(time.RFC3339Nano)))
		}
	}
	return found
}

// hostEvents collects the host engine's events about the fixture's
// containers (docker events, from before the first machine starts).
type hostEvents struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	list []hostEvent
	done chan struct{}
}

type hostEvent struct {
	ID       string `json:"id"`
	Action   string `json:"Action"`
	TimeNano int64  `json:"timeNano"`
	Actor    struct {
		Attributes map[string]string `json:"Attributes"`
	} `json:"Actor"`
}

func watchHostEvents(t *testing.T) *hostEvents {
	t.Helper()
	e := &hostEvents{done: make(chan struct{})}
	e.cmd = exec.Command("docker", "events", "--format", "{{json .}}",
		"--filter", "type=container", "--filter", "label="+machLabel)
	stdout, err := e.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("docker events: %v", err)
	}
	go func() {
		defer close(e.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev hostEvent
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				e.mu.Lock()
				e.list = append(e.list, ev)
				e.mu.Unlock()
			}
		}
	}()
	// docker events starts listening a moment after it starts: an event of
	// our own marks the moment it does.
	probe := machPrefix + "-events-probe"
	_ = exec.Command("docker", "rm", "-f", probe).Run()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if out, err := exec.Command("docker", "create", "--name", probe, "--label", machLabel+"=probe", machImage).CombinedOutput(); err != nil {
			t.Fatalf("docker create %s: %v\n%s", probe, err, out)
		}
		_ = exec.Command("docker", "rm", probe).Run()
		time.Sleep(200 * time.Millisecond)
		if len(e.snapshot()) > 0 {
			return e
		}
		if time.Now().After(deadline) {
			e.stop()
			t.Fatal("docker events saw nothing of a container created for it within 20s")
		}
	}
}

func (e *hostEvents) snapshot() []hostEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]hostEvent(nil), e.list...)
}

func (e *hostEvents) stop() {
	if e == nil || e.cmd.Process == nil {
		return
	}
	_ = e.cmd.Process.Kill()
	_ = e.cmd.Wait()
	<-e.done
}

// machineState is what a machine's engine holds, as its own docker lists it:
// compared before up and after down.
type machineState struct {
	Swarm      string
	Containers []string
	Networks   []string
	Images     []string
	Volumes    []string
}

func (m *machine) State(t *testing.T) machineState {
	t.Helper()
	lines := func(args ...string) []string {
		out := strings.Fields(strings.ReplaceAll(m.Docker(t, args...), " ", "|"))
		sort.Strings(out)
		return out
	}
	return machineState{
		Swarm:      m.Docker(t, "info", "--format", "{{.Swarm.LocalNodeState}}"),
		Containers: lines("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.State}}"),
		Networks:   lines("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.Driver}}"),
		Images:     lines("image", "ls", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"),
		Volumes:    lines("volume", "ls", "--format", "{{.Name}}"),
	}
}

// Diff says how after differs from before, or "" when they are equal.
func (before machineState) Diff(after machineState) string {
	var b strings.Builder
	if before.Swarm != after.Swarm {
		fmt.Fprintf(&b, "swarm: %s, then %s\n", before.Swarm, after.Swarm)
	}
	diff := func(kind string, x, y []string) {
		in := map[string]bool{}
		for _, s := range x {
			in[s] = true
		}
		for _, s := range y {
			if !in[s] {
				fmt.Fprintf(&b, "%s added: %s\n", kind, s)
			}
			delete(in, s)
		}
		for _, s := range x {
			if in[s] {
				fmt.Fprintf(&b, "%s gone: %s\n", kind, s)
			}
		}
	}
	diff("container", before.Containers, after.Containers)
	diff("network", before.Networks, after.Networks)
	diff("image", before.Images, after.Images)
	diff("volume", before.Volumes, after.Volumes)
	return b.String()
}

// Events lists what the machine's own engine recorded from since to
// until, one "TYPE ACTION NAME" line each (docker events, through the
// endpoint). Reads (ls, inspect) record nothing; changes do.
func (m *machine) Events(t *testing.T, since, until time.Time) []string {
	t.Helper()
	out := m.Docker(t, "events", "--since", fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond()),
		"--until", fmt.Sprintf("%d.%09d", until.Unix(), until.Nanosecond()),
		"--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// LoadImage copies a host image onto the machine through its endpoint
// (docker save | docker --host load): machines cannot pull anything.
func (m *machine) LoadImage(t *testing.T, image string) {
	t.Helper()
	tar, err := exec.Command("docker", "save", image).Output()
	if err != nil {
		t.Fatalf("docker save %s: %v", image, err)
	}
	if out, err := m.TryDocker(tar, "load", "-q"); err != nil {
		t.Fatalf("docker (machine %s) load %s: %v\n%s", m.Name, image, err, out)
	}
}

// ---------------------------------------------------------------- PKI --

// testPKI is a CA made for one test, signing the machines' server
// certificates and the one client certificate.
type testPKI struct {
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPEM  []byte
	client struct{ cert, key []byte }
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{}
	var err error
	if p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	n, err := randSerial()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          n,
		Subject:               pkix.Name{CommonName: "swarmgen e2e machines CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	p.client.cert, p.client.key, err = p.sign(x509.Certificate{
		Subject:     pkix.Name{CommonName: "swarmgen e2e client"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// randSerial is a certificate serial number.
func randSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
}

// sign issues a certificate from tmpl (subject, usages, SANs) with a new key.
func (p *testPKI) sign(tmpl x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	n, err := randSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = n
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

// ServerCert is a server certificate for the given host names and IPs.
func (p *testPKI) ServerCert(cn string, hosts ...string) (certPEM, keyPEM []byte, err error) {
	tmpl := x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return p.sign(tmpl)
}

// writeServer writes the engine's ca.pem, cert.pem, key.pem for a machine
// reached at 127.0.0.1 (its published port) and at its own address.
func (p *testPKI) writeServer(dir, name, ip string) error {
	cert, key, err := p.ServerCert(name, "localhost", name, "127.0.0.1", ip)
	if err != nil {
		return err
	}
	return writePEMs(dir, p.caPEM, cert, key)
}

// writeClient writes the client's material in DOCKER_CERT_PATH layout.
func (p *testPKI) writeClient(dir string) error {
	return writePEMs(dir, p.caPEM, p.client.cert, p.client.key)
}

func writePEMs(dir string, ca, cert, key []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"ca.pem": ca, "cert.pem": cert, "key.pem": key} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// ------------------------------------------------------- docker wrapper --

// dockerWrapper is a `docker` put first on PATH for swarmgen: it logs every
// call (one line: the environment that points docker somewhere, then each
// argument quoted), refuses `docker exec` (and `container exec`) whatever
// the target, and refuses any call that names a machine container (by name
// or ID, also as NAME:PATH of docker cp): the machines must be reached only
// through their endpoints. A refused call exits 97 and is logged with
// REFUSED, so a caller that swallowed the error is still caught
// (Refused). The rest goes to the real docker.
const dockerWrapperScript = `#!/usr/bin/env bash
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
real=$(cat "$here/../real-docker")
log=$here/../calls.log
line="DOCKER_HOST=${DOCKER_HOST-} DOCKER_CONTEXT=${DOCKER_CONTEXT-} docker"
for a in "$@"; do line+=" $(printf '%q' "$a")"; done
refuse() {
	printf 'REFUSED (%s): %s\n' "$1" "$line" >>"$log"
	echo "e2e docker wrapper: refused ($1): the machines are reachable only through their endpoints" >&2
	exit 97
}
# the subcommand: the first word after the global options
args=("$@")
i=0
while ((i < ${#args[@]})); do
	case ${args[i]} in
	-H | --host | -c | --context | --config | -l | --log-level | --tlscacert | --tlscert | --tlskey) i=$((i + 2)) ;;
	-*) i=$((i + 1)) ;;
	*) break ;;
	esac
done
sub=${args[i]-}
next=${args[i+1]-}
if [[ $sub == exec || ($sub == container && $next == exec) ]]; then
	refuse "docker exec"
fi
while read -r name; do
	[[ -n $name ]] || continue
	for a in "$@"; do
		if [[ $a == "$name" || $a == "$name":* ]]; then
			refuse "names machine container $name"
		fi
	done
done <"$here/../forbidden"
printf '%s\n' "$line" >>"$log"
exec "$real" "$@"
`

// dockerWrapper is an installed wrapper: PATH puts it first.
type dockerWrapper struct {
	dir string // holds bin/docker, real-docker, forbidden, calls.log
}

// newDockerWrapper installs the wrapper; forbidden lists the machines'
// container names and IDs (Forbid adds later machines).
func newDockerWrapper(t *testing.T) *dockerWrapper {
	t.Helper()
	real, err := exec.LookPath("docker")
	if err != nil {
		t.Fatal(err)
	}
	w := &dockerWrapper{dir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(w.dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"real-docker": real, "forbidden": "", "calls.log": ""} {
		if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(w.dir, "bin", "docker"), []byte(dockerWrapperScript), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// Forbid adds the machines' container names and IDs (full and short) to
// the names a call must not mention.
func (w *dockerWrapper) Forbid(t *testing.T, ms ...*machine) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(w.dir, "forbidden"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, m := range ms {
		fmt.Fprintf(f, "%s\n%s\n%s\n", m.Container, m.ID, m.ID[:12])
	}
}

// Env is PATH with the wrapper first.
func (w *dockerWrapper) Env() []string {
	return []string{"PATH=" + filepath.Join(w.dir, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")}
}

// Calls returns the log's lines.
func (w *dockerWrapper) Calls(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, "calls.log"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// Refused fails the test for every call the wrapper refused.
func (w *dockerWrapper) Refused(t *testing.T) {
	t.Helper()
	for _, l := range w.Calls(t) {
		if strings.HasPrefix(l, "REFUSED") {
			t.Errorf("swarmgen reached a machine other than through its endpoint: %s", l)
		}
	}
}

// --------------------------------------------------------------- tar --

// tarOf is a tar stream of the given files (path -> content), for docker cp -.
func tarOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	dirs := map[string]bool{}
	for path, content := range files {
		parts := strings.Split(path, "/")
		for i := 1; i < len(parts); i++ {
			d := strings.Join(parts[:i], "/") + "/"
			if !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: path, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tarNames lists the entries of a tar stream.
func tarNames(t *testing.T, b []byte) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("reading a tar stream: %v", err)
		}
		names = append(names, h.Name)
	}
}

// ------------------------------------------------- files on a machine --

// HostFiles lists the files under dir on the machine itself (not in a
// container), through its endpoint only: a container of image (any image
// the machine has; it is created, never started) mounts dir, docker cp
// reads it out as a tar stream, the container is removed. nil when dir
// does not exist (a bind mount whose source is missing is refused, so
// nothing is created on the machine).
func (m *machine) HostFiles(t *testing.T, image, dir string) []string {
	t.Helper()
	cid, err := m.TryDocker(nil, "create", "--mount", "type=bind,src="+dir+",dst=/e2e-look,readonly", image, "/e2e-none")
	if err != nil {
		if strings.Contains(cid, "does not exist") {
			return nil
		}
		t.Fatalf("docker (machine %s) create with %s mounted: %v\n%s", m.Name, dir, err, cid)
	}
	defer m.TryDocker(nil, "rm", "-f", cid) //nolint:errcheck // best effort
	cmd := exec.Command("docker", append(m.DockerArgs(), "cp", cid+":/e2e-look/.", "-")...)
	cmd.Env = withoutDockerEnv(os.Environ())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker (machine %s) cp of %s: %v", m.Name, dir, err)
	}
	names := []string{}
	for _, n := range tarNames(t, out) {
		n = strings.TrimSuffix(strings.TrimPrefix(n, "./"), "/")
		if n != "" && n != "." {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
