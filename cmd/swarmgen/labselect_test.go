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
		if !strings.HasPrefix(call, "ps -a --filter label=dev.swarmgen.lab --format") {
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
