package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// labDir is the directory of lab-b's generated files: a compose file that
// names it and a teardown.sh that says where it ran.
func labDir(t *testing.T, project string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte("# generated\nname: \""+project+"\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "teardown.sh"), []byte(`echo "teardown $* in $PWD ${0%/*}" >>"$STUB_DIR/calls"`+"\n"), 0o755)
	return dir
}

// down --lab NAME removes exactly that lab, by the teardown.sh of the
// directory its containers' labels name, from any directory, writing
// nothing; a name that matches no lab is an error.
func TestDownLabByName(t *testing.T) {
	dir := labDir(t, "lab-b")
	stub := stubdocker.New(t, `case "$*" in
  "ps -a --filter label=dev.swarmgen.lab=lab-b "*) printf 'lab-b-manager\tmanager\tmanager\t`+dir+`\t\nlab-b-worker01\tworker\tworker01\t`+dir+`\t\n' ;;
  "ps -a --filter label=dev.swarmgen.lab="*) ;;
  "context inspect"*) exit 1 ;;
esac`)
	stub.Use(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	code, _, stderr := swarmgen(t, "down", "--lab", "lab-b")
	if code != 0 {
		t.Fatalf("down --lab lab-b: exit %d %s", code, stderr)
	}
	if calls := stub.Calls(); !strings.Contains(calls, " "+dir+"\n") {
		t.Errorf("the lab's teardown.sh did not run:\n%s", calls)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("down --lab wrote %d files in the current directory", len(entries))
	}

	code, _, stderr = swarmgen(t, "down", "--lab", "nosuch")
	if code != exitUser || !strings.Contains(stderr, `no lab named "nosuch"`) {
		t.Errorf("down --lab nosuch: exit %d %q", code, stderr)
	}

	// SWARMGEN_LAB names it too
	t.Setenv(labEnv, "nosuch")
	if code, _, stderr = swarmgen(t, "status"); code != exitUser || !strings.Contains(stderr, `no lab named "nosuch"`) {
		t.Errorf("SWARMGEN_LAB=nosuch status: exit %d %q", code, stderr)
	}
}

// A directory re-rendered for another lab is not used to remove this one.
func TestDownLabWhoseFilesChanged(t *testing.T) {
	dir := labDir(t, "other")
	stub := stubdocker.New(t, `case "$*" in
  "ps -a --filter label=dev.swarmgen.lab=lab-b "*) printf 'lab-b-manager\tmanager\tmanager\t`+dir+`\t\n' ;;
esac`)
	stub.Use(t)
	code, _, stderr := swarmgen(t, "down", "--lab", "lab-b")
	if code != exitUser || !strings.Contains(stderr, "now those of lab other") {
		t.Errorf("exit %d %q", code, stderr)
	}
	if strings.Contains(stub.Calls(), "teardown") {
		t.Error("teardown.sh of another lab ran")
	}
}

// stop writes no file and stops every container labelled as the lab's,
// a node dropped from the spec but still running included; no compose.
func TestStopStopsEveryLabelledContainer(t *testing.T) {
	stub := stubdocker.New(t, `case "$*" in
  "ps -q --filter label=dev.swarmgen.lab=swarmgen") printf 'id-manager\nid-worker01\nid-dropped-worker09\n' ;;
esac`)
	stub.Use(t)
	dir := t.TempDir()
	spec, _ := os.ReadFile(classicSpec)
	os.WriteFile(filepath.Join(dir, "swarm.yaml"), spec, 0o644)
	t.Chdir(dir)
	code, _, stderr := swarmgen(t, "stop")
	if code != 0 {
		t.Fatalf("stop: exit %d %s", code, stderr)
	}
	calls := stub.Calls()
	if !strings.Contains(calls, "stop id-manager id-worker01 id-dropped-worker09") || strings.Contains(calls, "compose") {
		t.Errorf("calls:\n%s", calls)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("stop wrote files: %d entries", len(entries))
	}
}

// up and plan refuse a lab of the same name made from another directory,
// naming it and what to do, before running any script.
func TestUpRefusesALabOfAnotherDirectory(t *testing.T) {
	other := t.TempDir()
	stub := stubdocker.New(t, `case "$*" in
  "ps -a --filter label=dev.swarmgen.lab --format"*) printf 'swarmgen\tmanager\trunning\t`+other+`\n' ;;
esac`)
	stub.Use(t)
	dir := t.TempDir()
	spec, _ := os.ReadFile(classicSpec)
	os.WriteFile(filepath.Join(dir, "swarm.yaml"), spec, 0o644)
	t.Chdir(dir)
	for _, cmd := range []string{"up", "plan"} {
		code, _, stderr := swarmgen(t, cmd)
		if code != exitUser || !strings.Contains(stderr, "made from "+other) || !strings.Contains(stderr, "another name") {
			t.Errorf("%s: exit %d %q", cmd, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a refused up wrote files")
	}
	for _, call := range strings.Split(strings.TrimSpace(stub.Calls()), "\n") {
		if !strings.HasPrefix(call, "ps -a --filter label=dev.swarmgen.lab --format") && !strings.HasPrefix(call, "context ls --format") {
			t.Errorf("a refused up called docker beyond the list of labs: %s", call)
		}
	}
}

// load --lab NAME runs that lab's bootstrap.sh in load mode, the images
// named for the registry its containers' labels show (published on
// 0.0.0.0:15001: pushed through localhost), from any directory.
func TestLoadLabByName(t *testing.T) {
	dir := labDir(t, "lab-b")
	os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte(`echo "bootstrap $*" >>"$STUB_DIR/calls"`+"\n"), 0o755)
	ps := `  "ps -a --filter label=dev.swarmgen.lab=lab-b "*) printf 'lab-b-registry\tregistry\t\t` + dir + `\t%s\nlab-b-manager\tmanager\tmanager\t` + dir + `\t\n' "$REGISTRY_PORTS" ;;`
	stub := stubdocker.New(t, "case \"$*\" in\n"+ps+"\nesac")
	stub.Use(t)
	t.Chdir(t.TempDir())
	t.Setenv("REGISTRY_PORTS", "0.0.0.0:15001->5000/tcp, :::15001->5000/tcp")
	code, _, stderr := swarmgen(t, "load", "--lab", "lab-b", "myapp:1.0")
	if code != 0 {
		t.Fatalf("load --lab lab-b: exit %d %s", code, stderr)
	}
	if calls := stub.Calls(); !strings.Contains(calls, "bootstrap load myapp:1.0 localhost:15001/myapp:1.0 myapp 1.0 registry:5000/myapp:1.0\n") {
		t.Errorf("the lab's bootstrap.sh did not load myapp:1.0 into its registry:\n%s", calls)
	}

	// a stopped lab's registry publishes nothing: start it first
	t.Setenv("REGISTRY_PORTS", "")
	code, _, stderr = swarmgen(t, "load", "--lab", "lab-b", "myapp:1.0")
	if code != exitUser || !strings.Contains(stderr, "swarmgen start --lab lab-b") {
		t.Errorf("load --lab of a stopped lab: exit %d %q", code, stderr)
	}
}

// machineLabDir is the directory of lab fleet of machines: a bootstrap.sh
// whose header names it (its down --plan prints one line) and a
// teardown.sh, each saying where it ran.
func machineLabDir(t *testing.T, lab string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "my fleet")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte("#!/usr/bin/env bash\nPROVIDER=machines\nLAB='"+lab+"'\n# --- runtime\n"+
		`echo "bootstrap $* in ${SWARMGEN_LAB_DIR:-$PWD}" >>"$STUB_DIR/calls"`+"\n"+
		`[ "${2:-}" != --plan ] || printf 'plan\t-\tnode\tm1\tleaves the swarm\n'`+"\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "teardown.sh"), []byte(`echo "teardown $* in $PWD ${0%/*}" >>"$STUB_DIR/calls"`+"\n"), 0o755)
	return dir
}

// fleetStub is a host where lab fleet of machines is recorded (its docker
// context, files in dir) and no container carries its name.
func fleetStub(t *testing.T, dir string) *stubdocker.Stub {
	t.Helper()
	stub := stubdocker.New(t, `case "$*" in
  "ps -a "*) ;;
  "context ls "*) printf '%s\n' 'default *|unix:///var/run/docker.sock x' 'swarmgen-fleet|tcp://192.0.2.11:2376 swarmgen lab of machines lab=fleet leader=m1 certificate=1 files=`+dir+`' ;;
  "context inspect swarmgen-fleet") echo '[]' ;;
  *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
esac`)
	stub.Use(t)
	return stub
}

// --lab NAME finds a lab of machines by its record, from any directory and
// reaching no machine: down --lab runs the teardown.sh of its directory,
// after its plan and a question unless --yes; env --lab names its docker
// context; the commands that act on node containers, or need its spec,
// refuse and say what to run instead.
func TestMachineLabByName(t *testing.T) {
	dir := machineLabDir(t, "fleet")
	stub := fleetStub(t, dir)
	cwd := t.TempDir()
	t.Chdir(cwd)

	// without --yes, and nobody to answer: the plan, then a refusal
	code, out, stderr := swarmgen(t, "down", "--lab", "fleet")
	if code != exitUser || !strings.Contains(stderr, "pass --yes") || !strings.Contains(out, "m1") {
		t.Errorf("down --lab fleet without --yes: exit %d\n%s%s", code, out, stderr)
	}
	if calls := stub.Calls(); !strings.Contains(calls, "bootstrap down --plan in "+dir+"\n") || strings.Contains(calls, "teardown") {
		t.Errorf("down --lab fleet without --yes: calls\n%s", calls)
	}
	if code, _, stderr := swarmgen(t, "down", "--lab", "fleet", "--yes", "--keep-data"); code != exitUser || !strings.Contains(stderr, "--keep-data is for a lab of containers") {
		t.Errorf("down --lab fleet --keep-data: exit %d %q", code, stderr)
	}
	if code, _, stderr := swarmgen(t, "down", "--lab", "fleet", "--yes"); code != 0 {
		t.Fatalf("down --lab fleet --yes: exit %d %s", code, stderr)
	}
	if calls := stub.Calls(); !strings.Contains(calls, "teardown  in "+cwd+" "+dir+"\n") {
		t.Errorf("the lab's teardown.sh did not run:\n%s", calls)
	}

	if code, out, stderr := swarmgen(t, "env", "--lab", "fleet"); code != 0 || !strings.HasPrefix(out, "export DOCKER_CONTEXT='swarmgen-fleet'\n") ||
		!strings.Contains(out, `eval "$(swarmgen env --lab 'fleet')"`) {
		t.Errorf("env --lab fleet: exit %d %q %s", code, out, stderr)
	}
	if code, out, _ := swarmgen(t, "env", "--unset", "--lab", "fleet"); code != 0 || out != "unset DOCKER_CONTEXT\n" {
		t.Errorf("env --unset --lab fleet: exit %d %q", code, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stop", "--lab", "fleet"}, "swarmgen does not stop or restart machines"},
		{[]string{"node", "stop", "--lab", "fleet", "m1"}, "swarmgen does not stop or restart machines"},
		{[]string{"recover", "--lab", "fleet", "--yes"}, "swarmgen does not stop or restart machines"},
		{[]string{"start", "--lab", "fleet"}, "swarmgen up -f its spec -o " + dir},
		{[]string{"load", "--lab", "fleet", "myapp:1.0"}, "swarmgen load -f SPEC -o " + dir},
	} {
		if code, _, stderr := swarmgen(t, tc.args...); code != exitUser || !strings.Contains(stderr, tc.want) {
			t.Errorf("swarmgen %s: exit %d %q, want %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}

	// no machine was reached (no dial-stdio, no info), nothing written here
	for _, call := range strings.Split(strings.TrimSpace(stub.Calls()), "\n") {
		if !strings.HasPrefix(call, "ps -a ") && !strings.HasPrefix(call, "context ") &&
			!strings.HasPrefix(call, "bootstrap ") && !strings.HasPrefix(call, "teardown ") {
			t.Errorf("a call beyond the lab's record and files: %s", call)
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("--lab of a lab of machines wrote %d files in the current directory", len(entries))
	}
}

// A directory whose files are now another lab of machines' is not used to
// remove this one; start refuses a lab of machines' files without --lab too.
func TestMachineLabWhoseFilesChanged(t *testing.T) {
	dir := machineLabDir(t, "other")
	stub := fleetStub(t, dir)
	if code, _, stderr := swarmgen(t, "down", "--lab", "fleet", "--yes"); code != exitUser || !strings.Contains(stderr, "no longer those of lab fleet") {
		t.Errorf("exit %d %q", code, stderr)
	}
	if code, _, stderr := swarmgen(t, "start", "-o", dir); code != exitUser || !strings.Contains(stderr, "nothing to start") {
		t.Errorf("start -o DIR of a lab of machines: exit %d %q", code, stderr)
	}
	if calls := stub.Calls(); strings.Contains(calls, "teardown") || strings.Contains(calls, "bootstrap") {
		t.Errorf("the files of another lab ran:\n%s", calls)
	}
}

// up refuses a spec whose lab of machines of the same name was made from
// another directory, as the record of that lab (its docker context) says.
func TestUpRefusesALabOfMachinesOfAnotherDirectory(t *testing.T) {
	other := t.TempDir()
	stubdocker.New(t, `case "$*" in
  "context ls "*) echo 'swarmgen|ssh://admin@m1 swarmgen lab of machines lab=swarmgen leader=m1 files=`+other+`' ;;
esac`).Use(t)
	dir := t.TempDir()
	spec, _ := os.ReadFile(classicSpec)
	os.WriteFile(filepath.Join(dir, "swarm.yaml"), spec, 0o644)
	t.Chdir(dir)
	if code, _, stderr := swarmgen(t, "plan"); code != exitUser || !strings.Contains(stderr, "made from "+other) {
		t.Errorf("plan: exit %d %q", code, stderr)
	}
}
