package lab

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// A lab is read from docker ps's lines: its nodes by role, its directory,
// its Docker endpoint's address and where its registry is published.
func TestClusterOfLabels(t *testing.T) {
	ps := "lab-registry\tregistry\t\t/labs/a\t0.0.0.0:15001->5000/tcp, :::15001->5000/tcp\n" +
		"lab-manager02\tmanager\tmanager02\t/labs/a\t127.0.0.2:49154->2376/tcp\n" +
		"lab-manager01\tmanager\tmanager01\t/labs/a\t127.0.0.2:49153->2376/tcp\n" +
		"lab-worker01\tworker\tworker01\t/labs/a\t\n"
	cl, err := clusterOf("lab", ps)
	if err != nil {
		t.Fatal(err)
	}
	if got := cl.Managers; len(got) != 2 || got[0] != "lab-manager01" || got[1] != "lab-manager02" {
		t.Errorf("managers %v, want lab-manager01 lab-manager02 (in node order)", got)
	}
	if cl.Containers["worker01"] != "lab-worker01" || cl.Dir != "/labs/a" || cl.Registry != "lab-registry" {
		t.Errorf("cluster %+v", cl)
	}
	if !cl.Endpoint || cl.BindAddress != "127.0.0.2" {
		t.Errorf("endpoint %v on %q, want true on 127.0.0.2", cl.Endpoint, cl.BindAddress)
	}
	if cl.RegistryPublished != "0.0.0.0:15001" {
		t.Errorf("registry published at %q, want 0.0.0.0:15001", cl.RegistryPublished)
	}

	// a stopped registry publishes nothing
	cl, _ = clusterOf("lab", "lab-registry\tregistry\t\t/labs/a\t\n")
	if cl.RegistryPublished != "" || cl.Endpoint {
		t.Errorf("a stopped lab: %+v", cl)
	}
	if _, err := clusterOf("nope", ""); !errors.As(err, new(ErrNoLab)) {
		t.Errorf("no containers: %v, want ErrNoLab", err)
	}
}

// contextLs is docker context ls's lines on a host with a lab of
// machines (fleet, its files in a directory with a space), a lab of
// containers' context, one of an older swarmgen's labs of machines (no
// record) and the user's own.
const contextLs = "default *|unix:///var/run/docker.sock Current DOCKER_HOST based configuration\n" +
	"swarmgen-fleet|tcp://192.0.2.11:2376 swarmgen lab of machines lab=fleet leader=m1 certificate=123 files=/labs/my fleet\n" +
	"swarmgen-classic|tcp://127.0.0.1:32768 swarmgen lab, certificate 1\n" +
	"swarmgen-old|ssh://admin@w1 swarmgen lab\n" +
	"mine|tcp://10.0.0.1:2376 swarmgen lab of machines lab=mine leader=x files=/not/swarmgen's\n"

// A lab of machines is found by its record alone, reaching no machine:
// its directory, and the one machine its docker context reaches, through
// that context.
func TestFindMachinesByRecord(t *testing.T) {
	stub := stubdocker.New(t, `case "$*" in
  "context ls "*) printf '%s' "$CONTEXTS" ;;
esac`)
	stub.Use(t)
	t.Setenv("CONTEXTS", contextLs)
	cl, err := Find(context.Background(), "fleet")
	if err != nil {
		t.Fatal(err)
	}
	if cl.Dir != "/labs/my fleet" || cl.MachineContext != "swarmgen-fleet" || len(cl.Managers) != 1 || cl.Managers[0] != "m1" || cl.Containers["m1"] != "m1" {
		t.Errorf("cluster %+v", cl)
	}
	if env := strings.Join(cl.MachineEnv["m1"], "\n"); !strings.Contains(env, "\nDOCKER_CONTEXT=swarmgen-fleet") {
		t.Errorf("m1 is not reached through the context: %s", env)
	}
	if m := cl.Swarm(); !strings.Contains(m.Reach, "swarmgen up in /labs/my fleet") {
		t.Errorf("a leader out of reach is not explained: %q", m.Reach)
	}
	if _, err := cl.Swarm().Dialer("m2")(context.Background()); err == nil {
		t.Error("a machine the context does not reach was dialled")
	}
	for _, call := range strings.Split(strings.TrimSpace(stub.Calls()), "\n") {
		if !strings.HasPrefix(call, "ps -a ") && !strings.HasPrefix(call, "context ls ") {
			t.Errorf("finding a lab of machines called docker %s", call)
		}
	}
	for _, name := range []string{"classic", "old", "mine", "nosuch"} {
		if _, err := Find(context.Background(), name); !errors.As(err, new(ErrNoLab)) {
			t.Errorf("%s: %v, want ErrNoLab", name, err)
		}
	}
}

// list shows the labs of machines the contexts record beside the labs of
// containers, where they are, without reaching them.
func TestListMachines(t *testing.T) {
	stubdocker.New(t, `case "$*" in
  "ps -a --filter label=dev.swarmgen.lab "*) printf 'classic\tmanager\trunning\t/labs/classic\n' ;;
  "context ls "*) printf '%s' "$CONTEXTS" ;;
esac`).Use(t)
	t.Setenv("CONTEXTS", contextLs)
	labs, err := List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []LabInfo{
		{Name: "classic", Kind: KindContainers, Nodes: 1, Running: 1, State: "running", Dir: "/labs/classic"},
		{Name: "fleet", Kind: KindMachines, State: "unknown", Dir: "/labs/my fleet", Endpoint: "tcp://192.0.2.11:2376", Leader: "m1"},
	}
	if !reflect.DeepEqual(labs, want) {
		t.Errorf("got %+v\nwant %+v", labs, want)
	}
	var b strings.Builder
	PrintList(&b, labs)
	if !strings.Contains(b.String(), "fleet    -      machines (m1 at tcp://192.0.2.11:2376)  /labs/my fleet\n") {
		t.Errorf("the table:\n%s", b.String())
	}
}
