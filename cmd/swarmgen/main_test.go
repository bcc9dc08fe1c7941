package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // every test package accepts -update

// asMainEnv makes the test binary run swarmgen's main instead of the
// tests, so a test can run swarmgen as a command (from a shell, say)
// without building it.
const asMainEnv = "SWARMGEN_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// onPath puts this test binary on PATH as `swarmgen`, running main.
func onPath(t *testing.T) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(dir, "swarmgen")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(asMainEnv, "1")
}

// init takes the next port when the registry's is held: here a port the
// test holds (on the wildcard, as macOS's AirPlay Receiver holds 5000), and
// one held on the bind address only; the comment says why.
func TestInitAvoidsATakenRegistryPort(t *testing.T) {
	for _, host := range []string{"0.0.0.0", "127.0.0.1"} {
		held, err := net.Listen("tcp", host+":0")
		if err != nil {
			t.Fatal(err)
		}
		port := held.Addr().(*net.TCPAddr).Port
		got := freeRegistryPort(port)
		if got == port || got < port || got >= port+100 {
			t.Errorf("port %d held on %s: init picked %d; want a later free one", port, host, got)
		}
		held.Close()
		if got := freeRegistryPort(port); got != port {
			t.Errorf("port %d released: init picked %d; want %d", port, got, port)
		}
	}

	old := portFree
	t.Cleanup(func() { portFree = old })
	portFree = func(p int) bool { return p != 5000 && p != 5001 } // as on a Mac with AirPlay, and one more
	dir := t.TempDir()
	if code, _, stderr := swarmgen(t, "init", "--dir", dir); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "swarm.yaml"))
	for _, want := range []string{"  port: 5002 ", "pushed to as localhost:5002", "AirPlay Receiver holds 5000"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("swarm.yaml lacks %q:\n%s", want, got)
		}
	}
	if code, _, stderr := swarmgen(t, "validate", "-f", filepath.Join(dir, "swarm.yaml")); code != 0 {
		t.Errorf("validate of the spec init wrote: exit %d: %s", code, stderr)
	}
}

func swarmgen(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"swarmgen"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// freePorts makes init see every port free (the committed classic spec
// has 5000, which a lab on this machine may hold) until the test ends.
func freePorts(t *testing.T) {
	old := portFree
	portFree = func(int) bool { return true }
	t.Cleanup(func() { portFree = old })
}

func TestInitWritesTheClassicLab(t *testing.T) {
	freePorts(t)
	dir := t.TempDir()
	if code, _, stderr := swarmgen(t, "init", "--dir", dir); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "swarm.yaml"))
	for _, committed := range []string{"../../examples/classic/swarm.yaml", "../../golden/classic/swarm.yaml"} {
		want, err := os.ReadFile(committed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what `swarmgen init` writes; copy it over", committed)
		}
	}
	if !strings.HasPrefix(string(got), "# yaml-language-server: $schema=./swarm.schema.json\n") {
		t.Errorf("swarm.yaml does not start with the schema comment")
	}
	schema, _ := os.ReadFile(filepath.Join(dir, "swarm.schema.json"))
	_, printed, _ := swarmgen(t, "schema")
	if string(schema) != printed {
		t.Errorf("swarm.schema.json differs from `swarmgen schema`")
	}
	code, _, stderr := swarmgen(t, "init", "--dir", dir)
	if code != exitUser || !strings.Contains(stderr, "already exists; use --force") {
		t.Errorf("second init: exit %d, %q; want exit 1 asking for --force", code, stderr)
	}
	if code, _, _ := swarmgen(t, "init", "--dir", dir, "--force"); code != 0 {
		t.Errorf("init --force: exit %d", code)
	}
	if code, out, stderr := swarmgen(t, "render", "-f", filepath.Join(dir, "swarm.yaml"), "-o", dir); code != 0 || !strings.Contains(out, "wrote docker-compose.yml") {
		t.Errorf("render of the starter spec: exit %d\n%s%s", code, out, stderr)
	}
}

func TestRenderCheckDetectsStaleFiles(t *testing.T) {
	dir := t.TempDir()
	swarmgen(t, "init", "--dir", dir)
	spec := filepath.Join(dir, "swarm.yaml")
	if code, _, stderr := swarmgen(t, "render", "-f", spec, "-o", dir); code != 0 {
		t.Fatalf("render: %s", stderr)
	}
	if code, out, _ := swarmgen(t, "render", "--check", "-f", spec, "-o", dir); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("check of fresh files: exit %d %q", code, out)
	}
	compose := filepath.Join(dir, "docker-compose.yml")
	data, _ := os.ReadFile(compose)
	edited := strings.Replace(string(data), `hostname: "worker01"`, `hostname: "edited"`, 1)
	os.WriteFile(compose, []byte(edited), 0o644)
	code, out, stderr := swarmgen(t, "render", "--check", "-f", spec, "-o", dir)
	if code != exitUser {
		t.Errorf("check of an edited file: exit %d, want 1", code)
	}
	if !strings.Contains(out, `-    hostname: "edited"`) || !strings.Contains(out, `+    hostname: "worker01"`) || !strings.Contains(stderr, "stale") {
		t.Errorf("check output lacks the diff:\n%s\n%s", out, stderr)
	}
	if now, _ := os.ReadFile(compose); string(now) != edited {
		t.Errorf("render --check changed a file")
	}
	// a stack removed from the spec leaves a stale file that render removes
	stale := filepath.Join(dir, "stack", "gone.yml")
	os.WriteFile(stale, []byte("# Generated by `swarmgen render` from swarm.yaml. DO NOT EDIT:\n"), 0o644)
	if code, out, _ := swarmgen(t, "render", "-f", spec, "-o", dir); code != 0 || !strings.Contains(out, "stack/gone.yml (removed)") {
		t.Errorf("render did not remove a stale stack file: exit %d %q", code, out)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale stack file still there")
	}
}

func TestInvalidSpecWritesNothing(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "swarm.yaml")
	os.WriteFile(spec, []byte("apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\nworkers:\n  - name: ok\n  - name: Worker_2\nregistry:\n  port: \"5000\"\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, stderr := swarmgen(t, "render", "-f", spec, "-o", out)
	if code != exitUser {
		t.Errorf("exit %d, want %d", code, exitUser)
	}
	for _, want := range []string{
		spec + `:5:11: workers[1].name: "Worker_2" is not a valid node name`,
		spec + `:7:9: registry.port: must be a whole number`,
		"2 errors; nothing was written",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an invalid spec created %s", out)
	}
}

func TestExitCodes(t *testing.T) {
	if code, _, _ := swarmgen(t, "render", "--no-such-flag"); code != exitUser {
		t.Errorf("unknown flag: exit %d, want 1", code)
	}
	if code, _, stderr := swarmgen(t, "validate", "-f", filepath.Join(t.TempDir(), "missing.yaml")); code != exitUser || !strings.Contains(stderr, "swarmgen init") {
		t.Errorf("missing spec: exit %d %q", code, stderr)
	}
	if code, out, _ := swarmgen(t, "validate", "-f", "../../examples/classic/swarm.yaml"); code != 0 || !strings.Contains(out, "1 manager(s), 3 worker(s), 2 stack(s), 1 service(s)") {
		t.Errorf("validate classic: exit %d %q", code, out)
	}
	if code, out, _ := swarmgen(t, "--version"); code != 0 || !strings.Contains(out, "swarmgen version") {
		t.Errorf("--version: exit %d %q", code, out)
	}
}

// The committed example's generated files must be what render writes.
func TestExampleIsRendered(t *testing.T) {
	code, out, stderr := swarmgen(t, "render", "--check", "-f", "../../examples/classic/swarm.yaml", "-o", "../../examples/classic")
	if code != 0 {
		t.Errorf("examples/classic is stale (run `go run ./cmd/swarmgen render -f examples/classic/swarm.yaml -o examples/classic`):\n%s%s", out, stderr)
	}
}

func TestVizRefusesAuthWithoutPassword(t *testing.T) {
	for _, auth := range []string{"admin", ":", "admin:", ":pw"} {
		code, _, stderr := swarmgen(t, "viz", "--socket", "/nonexistent.sock", "--listen", "127.0.0.1:0", "--auth", auth)
		if code != exitUser || !strings.Contains(stderr, "--auth") {
			t.Errorf("--auth %q: exit %d, %q; want exit 1 naming --auth", auth, code, stderr)
		}
	}
}

// viz warns when it serves without a password beyond loopback.
func TestVizWarnsWhenOpen(t *testing.T) {
	for _, tc := range []struct {
		addr, auth string
		warn       bool
	}{
		{"0.0.0.0:8080", "", true},
		{"[::]:8080", "", true},
		{"192.0.2.1:8080", "", true},
		{"0.0.0.0:8080", "admin:pw", false},
		{"127.0.0.1:8080", "", false},
		{"[::1]:8080", "", false},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := openWarning(a, tc.auth); (got != "") != tc.warn {
			t.Errorf("%s auth %q: warning %q, want one: %v", tc.addr, tc.auth, got, tc.warn)
		}
	}
}
