package golden

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/plan"
	"github.com/swarmgen/swarmgen/internal/testkit/fakelab"
)

// old is the fake lab with the containers made from another definition
// than the compose file's: "CONTAINER IMAGE" each.
func old(containers ...string) func(fakelab.Vars) {
	return func(v fakelab.Vars) {
		for _, c := range containers {
			name, image, _ := strings.Cut(c, " ")
			v.Add("OLD", name+" h-old "+image)
		}
	}
}

// planDetails are the plan's "OP KIND NAME: DETAIL" lines, in order.
func planDetails(t *testing.T, out string) []string {
	t.Helper()
	p, err := plan.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range p.Actions {
		lines = append(lines, string(a.Op)+" "+a.Kind+" "+a.Name+": "+a.Detail)
	}
	for _, r := range p.Refusals {
		lines = append(lines, string(plan.Refused)+" "+r)
	}
	return lines
}

// rolled are the nodes of calls recreated one at a time (compose up -d
// --no-deps NODE), in order.
func rolled(calls string) []string {
	var nodes []string
	for _, m := range regexp.MustCompile(`(?m)^(?:docker )?compose -f docker-compose\.yml up -d --no-deps (\S+)$`).FindAllStringSubmatch(calls, -1) {
		nodes = append(nodes, m[1])
	}
	return nodes
}

// Every node's container changed (nodes.image): plan lists each with the
// image, and up recreates them one at a time: the workers first, then the
// managers, the leader last; each drained first and made active again once
// back; nothing else is recreated at once.
func TestRolloutImage(t *testing.T) {
	all := []string{"ha-manager01 docker:27-dind", "ha-manager02 docker:27-dind", "ha-manager03 docker:27-dind",
		"ha-worker01 docker:27-dind", "ha-worker02 docker:27-dind", "ha-worker03 docker:27-dind", "ha-worker04 docker:27-dind", "ha-worker05 docker:27-dind"}
	out, calls, err := runLab(t, "ha", old(all...), "", "--plan")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkReadOnly(t, calls)
	want := []string{
		"~ node worker01: recreate (image docker:27-dind -> docker:28.5.2-dind)", "~ node worker02: recreate (image docker:27-dind -> docker:28.5.2-dind)",
		"~ node worker03: recreate (image docker:27-dind -> docker:28.5.2-dind)", "~ node worker04: recreate (image docker:27-dind -> docker:28.5.2-dind)",
		"~ node worker05: recreate (image docker:27-dind -> docker:28.5.2-dind)",
		"~ node manager02: recreate (image docker:27-dind -> docker:28.5.2-dind)", "~ node manager03: recreate (image docker:27-dind -> docker:28.5.2-dind)",
		"~ node manager01: recreate (image docker:27-dind -> docker:28.5.2-dind)",
	}
	if got := planDetails(t, out); !slices.Equal(got, want) {
		t.Errorf("plan:\n%q\nwant:\n%q", got, want)
	}

	out, calls, err = runLab(t, "ha", old(all...), "")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	if got, want := rolled(calls), []string{"worker01", "worker02", "worker03", "worker04", "worker05", "manager02", "manager03", "manager01"}; !slices.Equal(got, want) {
		t.Errorf("recreated one at a time: %q, want %q\n%s", got, want, calls)
	}
	checkCalls(t, calls, []string{"compose -f docker-compose.yml up -d --no-recreate\n"}, []string{"compose -f docker-compose.yml up -d\n", "--force-recreate"})
	// each node: drained, recreated, active again, before the next one
	var order []string
	for _, n := range []string{"worker01", "worker02", "worker03", "worker04", "worker05", "manager02", "manager03", "manager01"} {
		order = append(order, "node update --availability drain id-"+n+"\n", "up -d --no-deps "+n+"\n", "node update --availability active id-"+n+"\n")
	}
	checkInOrder(t, calls, order)
	// the leader hands its leadership over before it goes, and is a
	// manager again once back
	checkCalls(t, calls, []string{"exec ha-manager02 docker node demote id-manager01\n", "exec ha-manager02 docker node promote id-manager01\n"}, []string{"demote id-worker", "demote id-manager02", "demote id-manager03"})
	// and is recreated only once it has left the managers' raft (the fake
	// lists it reachable for two reads after its demotion)
	_, afterDemote, _ := strings.Cut(calls, "docker node demote id-manager01\n")
	beforeRecreate, _, _ := strings.Cut(afterDemote, "up -d --no-deps manager01\n")
	if n := strings.Count(beforeRecreate, "node inspect --format {{.ID}} {{.Status.State}} {{.Spec.Availability}} {{with .ManagerStatus}}{{.Reachability}}{{end}} id-manager01\n"); n != 3 {
		t.Errorf("the leader was recreated after %d reads of its demotion, want 3 (the third says it left the raft):\n%s", n, calls)
	}
	// and once its own engine is a worker, with no manager running and a
	// worker's certificate (the fake's says so at the second ask): a
	// restart with a manager's panics in raft
	if n := strings.Count(beforeRecreate, "exec ha-manager01 sh -c [ \"$(docker info --format \"$1\")\" = false ]"); n != 2 {
		t.Errorf("the leader was recreated after %d asks of its own engine, want 2 (the second says it is a worker):\n%s", n, calls)
	}
	// the leader's own calls go to another manager while it is recreated
	if strings.Contains(calls, "exec ha-manager01 docker node update --availability drain id-manager01") {
		t.Errorf("the leader was drained through itself:\n%s", calls)
	}
	for _, s := range []string{"node worker01 drained", "node worker01 recreated", "node worker01 Ready", "node worker01 active",
		"node manager01 Ready, Reachable", "roll-out done, time each node was out: worker01 "} {
		if !strings.Contains(out, s) {
			t.Errorf("up does not say %q:\n%s", s, out)
		}
	}
}

// A port added to one manager: that manager alone is recreated, and plan
// says why.
func TestRolloutPorts(t *testing.T) {
	out, calls, err := runLab(t, "ha", old("ha-manager01 docker:28.5.2-dind"), "", "--plan")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkReadOnly(t, calls)
	if got, want := planDetails(t, out), []string{"~ node manager01: recreate (ports)"}; !slices.Equal(got, want) {
		t.Errorf("plan: %q, want %q", got, want)
	}
	out, calls, err = runLab(t, "ha", old("ha-manager01 docker:28.5.2-dind"), "")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	if got := rolled(calls); !slices.Equal(got, []string{"manager01"}) {
		t.Errorf("recreated: %q, want manager01 alone\n%s", got, calls)
	}
}

// With --parallel 2, two workers are recreated at once: both are drained
// before either comes back; managers still one at a time.
func TestRolloutParallelWorkers(t *testing.T) {
	t.Setenv("SWARMGEN_ROLLOUT_PARALLEL", "2")
	out, calls, err := runLab(t, "ha", old("ha-worker01 docker:27-dind", "ha-worker02 docker:27-dind", "ha-manager02 docker:27-dind"), "")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	d2 := strings.Index(calls, "drain id-worker02")
	a1 := strings.Index(calls, "active id-worker01")
	m2 := strings.Index(calls, "drain id-manager02")
	if d2 < 0 || a1 < 0 || d2 > a1 || m2 < a1 {
		t.Errorf("worker02 drained before worker01 is back, manager02 after both:\n%s", calls)
	}
}

// A lab of one manager (or two): recreating a manager loses the quorum
// while it is recreated. plan lists it refused; up stops before it changes
// anything, and --force applies it.
func TestRolloutQuorumRefused(t *testing.T) {
	for _, lab := range []string{"classic", "two-managers"} {
		t.Run(lab, func(t *testing.T) {
			first := fakelab.Parse(bootstrapScript(t, lab))
			_ = first
			edit := func(v fakelab.Vars) {
				for _, m := range strings.Fields(v["MANAGERS"]) {
					v.Add("OLD", m+" h-old docker:27-dind")
				}
			}
			out, _, err := runLab(t, lab, edit, "", "--plan")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			p, err := plan.Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Refusals) != 1 || !strings.Contains(p.Refusals[0], "no quorum") {
				t.Errorf("refusals: %q\n%s", p.Refusals, out)
			}
			out, calls, err := runLab(t, lab, edit, "")
			if err == nil || !strings.Contains(out, "no quorum") || !strings.Contains(out, "nothing was changed") {
				t.Errorf("up: %v, want a refusal:\n%s", err, out)
			}
			checkCalls(t, calls, nil, []string{"up -d", "node update", "swarm join", "stack deploy"})

			t.Setenv("SWARMGEN_FORCE", "1")
			out, calls, err = runLab(t, lab, edit, "")
			if err != nil || len(rolled(calls)) == 0 {
				t.Errorf("up --force: %v, recreated %q\n%s", err, rolled(calls), out)
			}
		})
	}
}

// A node that does not come back (here: back as another node, its swarm
// state lost) stops the roll-out: the nodes after it are not touched, and
// the error names the node and why.
func TestRolloutStopsAtANodeThatDoesNotComeBack(t *testing.T) {
	first := `  "docker exec ha-worker02 docker info --format {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} "*)
    if [ -e "$STUB_DIR/recreated-worker02" ]; then echo "active other-id C"; exit 0; fi ;;&
  "docker compose -f docker-compose.yml up -d --no-deps worker02") touch "$STUB_DIR/recreated-worker02" ;;`
	out, calls, err := runLab(t, "ha", old("ha-worker01 docker:27-dind", "ha-worker02 docker:27-dind", "ha-worker03 docker:27-dind", "ha-manager02 docker:27-dind"), first)
	if err == nil {
		t.Fatalf("up went on:\n%s", out)
	}
	if got := rolled(calls); !slices.Equal(got, []string{"worker01", "worker02"}) {
		t.Errorf("recreated %q, want worker01 and worker02 only", got)
	}
	for _, s := range []string{"node worker02 did not come back: it is node other-id now, not id-worker02", "the roll-out stopped", "<== rollout FAILED"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	checkCalls(t, calls, nil, []string{"stack deploy", "active id-worker02"})
}

// A service changed by hand (docker service scale, update --image ...):
// plan shows what and says it was changed outside swarmgen; up deploys the
// stack again (a stack's service) or recreates the service (a standalone
// one), as docker stack deploy would set it back, except a standalone
// service that only has other replicas: it is scaled back. One case a
// field.
func TestDrift(t *testing.T) {
	// field index in a SPECS line: NAME MODE IMAGE PORTS ENV LABELS
	for _, tc := range []struct {
		name, service, field, value, want, call string
	}{
		{"replicas", "web_proxy", "1", "replicated 5", "~ service web_proxy: replicas 5 -> 2 (changed outside swarmgen)", deployCall("web", "web")},
		{"mode", "data_redis", "1", "global", "~ service data_redis: mode global -> replicated (changed outside swarmgen)", deployCall("data", "db")},
		// a standalone service scaled by hand is scaled back: its tasks
		// keep running
		{"standalone replicas", "whoami", "1", "replicated 5", "~ service whoami: replicas 5 -> 3 (changed outside swarmgen)", "docker service scale --detach whoami=3\n"},
		{"image", "whoami", "2", "traefik/whoami:v1.9@sha256:abc", "~ service whoami: image traefik/whoami:v1.9 -> traefik/whoami:v1.10 (changed outside swarmgen)", "service rm whoami"},
		{"ports", "web_proxy", "3", "80:80/tcp/ingress 9000:90/tcp/ingress", "~ service web_proxy: published ports 80:80/tcp/ingress 9000:90/tcp/ingress -> 80:80/tcp/ingress (changed outside swarmgen)", deployCall("web", "web")},
		{"env", "whoami", "4", `["WHOAMI_NAME=other"]`, "~ service whoami: environment (changed outside swarmgen)", "service rm whoami"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			edit := func(v fakelab.Vars) {
				lines := strings.Split(v["SPECS"], "\n")
				found := false
				for i, l := range lines {
					f := strings.Split(l, "\t")
					if f[0] == tc.service {
						var n int
						fmt.Sscan(tc.field, &n)
						f[n] = tc.value
						lines[i] = strings.Join(f, "\t")
						found = true
					}
				}
				if !found {
					t.Fatalf("no service %s in %q", tc.service, v["SPECS"])
				}
				v["SPECS"] = strings.Join(lines, "\n")
			}
			out, calls, err := runLab(t, "ha", edit, "", "--plan")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			checkReadOnly(t, calls)
			if got := planDetails(t, out); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("plan: %q, want %q", got, tc.want)
			}
			out, calls, err = runLab(t, "ha", edit, "")
			if err != nil {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			checkCalls(t, calls, []string{tc.call}, nil)
			if n := strings.Count(calls, "stack deploy") + strings.Count(calls, "service rm") + strings.Count(calls, "service scale"); n != 1 {
				t.Errorf("%d deploys, removals or scales, want 1:\n%s", n, calls)
			}
		})
	}
}

// Nodes changed while the swarm names no leader (an election, a lost
// quorum): up waits for one, and with none refuses rather than let compose
// recreate every node at once; the plan says so.
func TestRolloutWaitsForALeader(t *testing.T) {
	t.Setenv("SWARMGEN_WAIT", "2")
	all := []string{"ha-manager01 docker:27-dind", "ha-manager02 docker:27-dind", "ha-manager03 docker:27-dind",
		"ha-worker01 docker:27-dind", "ha-worker02 docker:27-dind", "ha-worker03 docker:27-dind", "ha-worker04 docker:27-dind", "ha-worker05 docker:27-dind"}
	// every manager is in the swarm and none lists its nodes: no leader
	const noLeader = `  "docker exec "*" sh -c "*"t=\$(mktemp -d)"*) echo "from $2"; echo "state $2 active id-${2#"$P"} C"; exit 0 ;;
`
	// (the plan then stops where every plan of a swarm without a leader does)
	out, calls, _ := runLab(t, "ha", old(all...), noLeader, "--plan")
	if !strings.Contains(out, "refused\t-\trecreating node(s) manager01 manager02 manager03 worker01 worker02 worker03 worker04 worker05 while the swarm names no leader (an election, or its quorum lost; waited 2s)") {
		t.Errorf("plan does not refuse:\n%s", out)
	}
	checkReadOnly(t, calls)

	out, calls, err := runLab(t, "ha", old(all...), noLeader)
	if err == nil || !strings.Contains(out, "while the swarm names no leader") || !strings.Contains(out, "nothing was changed") {
		t.Errorf("up did not refuse: %v\n%s", err, out)
	}
	if strings.Contains(calls, " up -d") {
		t.Errorf("up recreated nodes without a leader:\n%s", calls)
	}
	if n := strings.Count(calls, "t=$(mktemp -d)"); n < 3 {
		t.Errorf("up read the swarm %d times: it did not wait for a leader\n%s", n, calls)
	}

	// a leader after a few reads: the roll-out, one node at a time
	const leaderLater = `  "docker exec "*" sh -c "*"t=\$(mktemp -d)"*)
    [ "$(nth lead)" -gt 4 ] || { echo "from $2"; echo "state $2 active id-${2#"$P"} C"; exit 0; } ;;&
`
	t.Setenv("SWARMGEN_WAIT", "30")
	out, calls, err = runLab(t, "ha", old(all...), leaderLater)
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	if got := rolled(calls); len(got) != 8 || got[7] != "manager01" {
		t.Errorf("recreated one at a time: %q\n%s", got, calls)
	}
}
