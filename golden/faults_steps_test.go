package golden

import (
	"slices"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/fakelab"
)

// A network fault (swarmgen net) lives in its node container's network
// namespace: a node whose container up starts again, or recreates, lost
// it, and up drops its record (the node's labels); a node that kept
// running keeps its record, and the plan says which go.
func TestFaultsForgottenWithTheirContainer(t *testing.T) {
	faults := func(v fakelab.Vars) {
		v.Add("STOPPED", "worker01")
		v.Add("LABELS", "worker01 dev.swarmgen.net.cut=manager,worker02", "worker02 dev.swarmgen.net.cut=worker01",
			"worker03 dev.swarmgen.net.delay=delay 200ms", "manager dev.swarmgen.net.cut=worker01")
	}
	const forget = "the network faults swarmgen net recorded (its container restarted without them)"
	out, calls, err := runLab(t, "classic", faults, "", "--plan")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkReadOnly(t, calls)
	// (no join: its volume keeps its swarm state)
	if got, want := planDetails(t, out), []string{"~ node worker01: start its container (exited)", "- label worker01: " + forget}; !slices.Equal(got, want) {
		t.Errorf("plan:\n%q\nwant:\n%q", got, want)
	}

	out, calls, err = runLab(t, "classic", faults, "")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkCalls(t, calls, []string{"exec manager docker node update --label-rm dev.swarmgen.net.cut worker01\n"},
		[]string{"--label-rm dev.swarmgen.net.cut worker02", "--label-rm dev.swarmgen.net.delay", "--label-rm dev.swarmgen.net.cut manager"})
	checkInOrder(t, calls, []string{"compose -f docker-compose.yml up -d\n", "--label-rm dev.swarmgen.net.cut worker01\n"})
	if !strings.Contains(out, "node worker01: its network faults went with its restart") {
		t.Errorf("up does not say so:\n%s", out)
	}
}

// A node the roll-out recreates loses its faults too.
func TestFaultsForgottenWithARollout(t *testing.T) {
	faults := func(v fakelab.Vars) {
		old("ha-worker02 docker:27-dind")(v)
		v.Add("LABELS", "worker02 dev.swarmgen.net.delay=delay 200ms", "worker01 dev.swarmgen.net.delay=delay 50ms")
	}
	out, calls, err := runLab(t, "ha", faults, "", "--plan")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	if got := planDetails(t, out); !slices.Contains(got, "- label worker02: the network faults swarmgen net recorded (its container restarted without them)") || len(got) != 2 {
		t.Errorf("plan: %q", got)
	}
	out, calls, err = runLab(t, "ha", faults, "")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkInOrder(t, calls, []string{"up -d --no-deps worker02\n", "docker node update --label-rm dev.swarmgen.net.delay worker02\n"})
	checkCalls(t, calls, nil, []string{"--label-rm dev.swarmgen.net.delay worker01"})
}

// The plan of a stopped node: starting it is the change; a join only if
// the swarm does not list a node of its name (its volume keeps the state
// of the node it was).
func TestPlanOfAStoppedNode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		listed bool
		want   []string
	}{
		{"the swarm lists it", true, []string{"~ node worker02: start its container (exited)"}},
		{"the swarm does not list it", false, []string{"~ node worker02: start its container (exited)", "+ node worker02: worker at 10.247.0.21"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := runLab(t, "classic", func(v fakelab.Vars) {
				v.Add("STOPPED", "worker02")
				if !tc.listed {
					v.Drop("NODES", "worker02")
				}
			}, "", "--plan")
			if err != nil {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			if got := planDetails(t, out); !slices.Equal(got, tc.want) {
				t.Errorf("plan:\n%q\nwant:\n%q", got, tc.want)
			}
		})
	}
}
