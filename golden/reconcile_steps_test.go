package golden

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/plan"
	"github.com/swarmgen/swarmgen/internal/testkit/fakelab"
)

// The whole generated bootstrap.sh, every step, run against a fake lab
// (internal/fakelab): a stub docker (and curl) that answers from variables
// describing what the engines hold. A case changes a few of them from the
// converged lab (the lab as up leaves it) and says which changes up must
// make and which plan lines --plan must print.

// runLab runs the whole script of golden case name with args against the
// fake lab: the converged one as edit changes it, and before its
// answers those of first (case patterns that win; end one with ;;& to
// fall through to the fake lab's own answer). The lab's directory holds
// what up left there (fakelab's Script.Up) and the case's compose file.
func runLab(t *testing.T, name string, edit func(fakelab.Vars), first string, args ...string) (out, calls string, err error) {
	t.Helper()
	script := bootstrapScript(t, name)
	compose, err := os.ReadFile(filepath.Join(name, "out", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"docker-compose.yml": compose}
	// the builtin images' context, as rendered
	dockerfiles, _ := filepath.Glob(filepath.Join(name, "out", "builtin", "*.Dockerfile"))
	for _, f := range dockerfiles {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files["builtin/"+filepath.Base(f)] = data
	}
	s := fakelab.Parse(script)
	dir, vars := s.Up(t, files)
	if edit != nil {
		edit(vars)
	}
	return runScript(t, dir, s.Text, args, fakelab.Scenario(vars, first), fakelab.Commands...)
}

// changes are the substrings of a docker call that change the lab.
var changes = []string{"swarm init", "swarm join ", "swarm leave", "join-token", "node update", "node demote", "node rm",
	"network create", "network rm", "stack deploy", "stack rm", "service create", "service update", "service rm",
	"push ", "tag --", "volume rm", "--remove-orphans", "restart ", "unpause ", "context create", "context update",
	"secret create", "secret rm", "config create", "config rm", "mkdir ", "rm -f ", "image rm "}

// readOnly are the calls that read the lab (or, for compose up -d and a
// build of an unchanged context, leave it as it is); an sh -c script is a
// read when every docker command in it is.
var (
	readOnly = regexp.MustCompile(`^(uname -s|ss .*|curl -fsS -o /dev/null .*|curl -fsSI .*|` +
		`compose version|compose -f docker-compose\.yml (version|up -d|config --hash \*)|info( --format .*)?|ps .*|context ls .*|volume ls .*|` +
		`image inspect .*|build --quiet .*|exec \S+ docker (version|info|node ls|node inspect|node ps|network ls|service ls|stack ls)( .*)?|` +
		`exec \S+ test -e .*|exec \S+ sh -c .*)$`)
	dockerInScript = regexp.MustCompile(`docker ([a-z]+(?: (?:ls|inspect|ps))?)`)
	readVerbs      = []string{"info", "node ls", "node inspect", "service ls", "service inspect", "stack ls", "network ls", "secret ls", "config ls"}
)

// checkReadOnly fails t unless every call reads.
func checkReadOnly(t *testing.T, calls string) {
	t.Helper()
	for _, call := range strings.Split(strings.TrimSpace(calls), "\n") {
		call = strings.TrimPrefix(call, "docker ")
		ok := readOnly.MatchString(call)
		if script, isSh := strings.CutPrefix(call, "exec "); ok && isSh && strings.Contains(script, " sh -c ") {
			// the read's own temporary directory in the node is no change
			script = strings.ReplaceAll(script, `t=$(mktemp -d)`, "")
			script = strings.ReplaceAll(script, `rm -rf "$t"`, "")
			ok = !regexp.MustCompile(`\b(mkdir|rm)\b`).MatchString(script)
			for _, m := range dockerInScript.FindAllStringSubmatch(script, -1) {
				ok = ok && slices.Contains(readVerbs, m[1])
			}
		}
		if !ok {
			t.Errorf("a call that is not a read: %q", call)
		}
	}
}

// planLines are the plan lines of out, "OP KIND NAME" each, sorted.
func planLines(t *testing.T, out string) []string {
	t.Helper()
	p, err := plan.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{}
	for _, a := range p.Actions {
		lines = append(lines, string(a.Op)+" "+a.Kind+" "+a.Name)
	}
	for _, r := range p.Refusals {
		lines = append(lines, string(plan.Refused)+" "+r)
	}
	slices.Sort(lines)
	return lines
}

// A converged lab: the whole script, every step, only reads; --plan prints
// no plan line and reads alone too.
func TestUnchangedLab(t *testing.T) {
	for _, name := range []string{"classic", "ha"} {
		for _, args := range [][]string{nil, {"--plan"}} {
			t.Run(name+" "+strings.Join(args, ""), func(t *testing.T) {
				out, calls, err := runLab(t, name, nil, "", args...)
				if err != nil {
					t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
				}
				checkCalls(t, calls, nil, changes)
				checkReadOnly(t, calls)
				if lines := planLines(t, out); len(lines) > 0 {
					t.Errorf("plan lines for a converged lab: %q", lines)
				}
				if args == nil && !strings.Contains(out, "<== summary ok") {
					t.Errorf("the script did not run to its end:\n%s", out)
				}
				// the summary's tables come from the one read
				if args == nil && !regexp.MustCompile(`(?m)^ID +HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS +ENGINE VERSION\nid-\S+ +\S+ +Ready +Active +Leader +20\.10\.24$`).MatchString(out) {
					t.Errorf("no node table in the summary:\n%s", out)
				}
			})
		}
	}
}

// An unchanged lab reads its images in one docker image inspect (the push
// step's image_facts), its containers in one docker ps and the host's
// docker contexts in one docker context ls begun at the start, in plan
// mode and up (TestSwarmReadState: its managers' reads ask no docker
// info). A host without a Docker Hub image the lab mirrors makes the one
// image read fail: each image is asked alone then. An image rebuilt is
// not judged by what was read before its build: the new build, which no
// registry has, is pushed.
func TestImagesAndContainersReadOnce(t *testing.T) {
	hub := func(v fakelab.Vars) { v["HUB"] = v["MIRRORS"] }
	count := func(calls, prefix string) int {
		n := 0
		for _, line := range strings.Split(calls, "\n") {
			if strings.HasPrefix(line, prefix) {
				n++
			}
		}
		return n
	}
	for _, args := range [][]string{nil, {"--plan"}} {
		out, calls, err := runLab(t, "classic", hub, "", args...)
		if err != nil {
			t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
		}
		if lines := planLines(t, out); len(lines) > 0 {
			t.Errorf("plan lines for a converged lab: %q", lines)
		}
		for prefix, want := range map[string]int{"image inspect ": 1, "ps ": 1, "context ls ": 1} {
			if got := count(calls, prefix); got != want {
				t.Errorf("%v: %d calls %q, want %d:\n%s", args, got, prefix, want, calls)
			}
		}
	}
	// the mirrored image not on the host: one inspect an image
	_, calls, err := runLab(t, "classic", nil, "", "--plan")
	if err != nil || count(calls, "image inspect ") < 3 {
		t.Errorf("%v; calls:\n%s", err, calls)
	}
	out, calls, err := runLab(t, "classic", func(v fakelab.Vars) {
		hub(v)
		v["REBUILT"] = "localhost:5000/yutsuki/echo:latest"
	}, "")
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkCalls(t, calls, []string{"build --quiet", "push --quiet -- localhost:5000/yutsuki/echo:latest"}, []string{"push --quiet -- localhost:5000/swarmgen/visualizer"})
}

// The join command of a node, as the calls show it (the token comes in
// the exec's environment).
func joinCall(container, addr, leaderAddr string) string {
	return `exec -e SWARMGEN_JOIN_TOKEN ` + container + ` sh -c exec docker swarm join --token "$SWARMGEN_JOIN_TOKEN" --advertise-addr "$1" "$2" join ` + addr + " " + leaderAddr + ":2377"
}

// dropped is the classic lab with a node the spec does not have: its
// container and volume, and its line in the swarm's node list if listed.
func dropped(name string, listed ...string) func(fakelab.Vars) {
	return func(v fakelab.Vars) {
		v.Add("NODES", listed...)
		v.Add("CONTAINERS", name)
		v.Add("VOLUMES", "swarmgen_"+name+"-docker")
	}
}

// A lab that differs from its spec: up makes the changes (want, in any
// order; order, in this order) and no others (never), and --plan prints
// exactly the plan lines plan and only reads. A join token is in no
// command line and no output.
func TestReconcile(t *testing.T) {
	const (
		classicLeader = "10.247.0.10"
		haLeader      = "10.247.136.10"
	)
	// nobody's: the calls of a lab the spec has in full
	creates := []string{"swarm init", "swarm join ", "network create", "stack deploy", "service create", "push ", "context create"}
	removes := []string{"swarm leave", "node demote", "node rm", "network rm", "stack rm", "service rm", "volume rm", "--remove-orphans"}
	for _, tc := range []struct {
		name, lab string
		edit      func(fakelab.Vars)
		first     string   // fake lab answers that win (see runLab)
		want      []string // calls of up
		order     []string // calls of up, in this order
		never     []string
		say       string   // in up's output
		plan      []string // "OP KIND NAME", sorted
		planFails string   // --plan fails saying this
	}{{
		name: "new swarm: init on the first manager, every node joins, everything is made",
		lab:  "classic",
		edit: func(v fakelab.Vars) {
			v["INACTIVE"] = "manager worker01 worker02 worker03"
			v["NODES"] = "manager Ready Leader" // once init ran
			for _, k := range []string{"OVERLAYS", "LABELLED", "STACKS", "SERVICES", "REGISTRY", "PUSHED"} {
				v[k] = ""
			}
			v["CONTEXT"] = "none"
		},
		want: []string{"exec manager docker swarm init --advertise-addr " + classicLeader,
			joinCall("worker01", "10.247.0.20", classicLeader), joinCall("worker02", "10.247.0.21", classicLeader), joinCall("worker03", "10.247.0.22", classicLeader),
			"push --quiet -- localhost:5000/yutsuki/echo:latest", "push --quiet -- localhost:5000/swarmgen/visualizer:latest",
			"exec manager docker network create --driver overlay --label dev.swarmgen.network=true --attachable ch03",
			deployCall("echo", "ch03-webapi"), deployCall("visualizer", "visualizer"),
			"exec manager docker service create --label dev.swarmgen.hash=", "context create swarmgen ", `docker config create --label "dev.swarmgen.stack=$1"`},
		// (a new swarm has no stack record to replace)
		never: append([]string{"SWARMGEN_JOIN_TOKEN manager ", "config ls -q"}, removes...),
		say:   "a new swarm: nothing to prune",
		plan: []string{"+ context swarmgen", "+ image gihyodocker/nginx-proxy:latest", "+ image registry:5000/swarmgen/visualizer:latest", "+ image registry:5000/yutsuki/echo:latest",
			"+ network ch03", "+ node manager", "+ node worker01", "+ node worker02", "+ node worker03",
			"+ service echo", "+ stack echo", "+ stack visualizer"},
	}, {
		name:  "node added: it alone joins",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v.Drop("NODES", "worker03") },
		want:  []string{joinCall("worker03", "10.247.0.22", classicLeader)},
		never: append([]string{"worker01 sh -c", "worker02 sh -c", "swarm init"}, removes...),
		plan:  []string{"+ node worker03"},
	}, {
		name: "worker removed: drained, leaves, removed, its container and volume go",
		lab:  "classic",
		edit: dropped("worker04", "worker04 Ready "),
		order: []string{"exec manager docker node update --availability drain worker04", "exec worker04 docker swarm leave",
			"exec manager docker node rm --force worker04", "compose -f docker-compose.yml up -d --remove-orphans", "volume rm swarmgen_worker04-docker"},
		never: append([]string{"demote", "volume rm swarmgen_worker01", "volume rm swarmgen_manager", "volume rm swarmgen_registry"}, creates...),
		plan:  []string{"- node worker04"},
	}, {
		name: "manager removed: drained, demoted, leaves, removed",
		lab:  "classic",
		edit: dropped("manager02", "manager02 Ready Reachable"),
		order: []string{"exec manager docker node update --availability drain manager02", "exec manager docker node demote manager02",
			"exec manager02 docker swarm leave", "exec manager docker node rm --force manager02", "--remove-orphans", "volume rm swarmgen_manager02-docker"},
		never: append([]string{"demote manager\n", "rm --force manager\n"}, creates...),
		plan:  []string{"- node manager02"},
	}, {
		name:  "a container of a dropped node that is in no swarm: it and its volume go (remove_orphans)",
		lab:   "classic",
		edit:  dropped("worker09"),
		order: []string{"compose -f docker-compose.yml up -d --remove-orphans", "volume rm swarmgen_worker09-docker"},
		never: append([]string{"drain", "swarm leave", "node rm", "volume rm swarmgen_worker01"}, creates...),
		plan:  []string{"- node worker09"},
	}, {
		// worker01 lacks disk=ssd (added to the spec), worker02 has rack,
		// which swarmgen set and the spec dropped, worker03 a label set by
		// hand, worker04 the wrong zone
		name: "labels: added, removed, changed; a hand-set label stays",
		lab:  "ha",
		edit: func(v fakelab.Vars) {
			v.Drop("LABELS", "worker01", "worker02", "worker04")
			v.Add("LABELS", "worker01 zone=a", "worker01 dev.swarmgen.labels=zone",
				"worker02 zone=a", "worker02 rack=r1", "worker02 dev.swarmgen.labels=rack,zone",
				"worker03 owner=me", "worker04 zone=a", "worker04 dev.swarmgen.labels=zone")
		},
		want: []string{"exec ha-manager01 docker node update --label-add disk=ssd --label-add dev.swarmgen.labels=disk,zone worker01\n",
			"exec ha-manager01 docker node update --label-rm rack --label-add dev.swarmgen.labels=zone worker02\n",
			"exec ha-manager01 docker node update --label-add zone=b worker04\n"},
		never: append(append([]string{"owner", "worker03\n"}, creates...), removes...),
		plan:  []string{"+ label worker01", "- label worker02", "~ label worker04"},
	}, {
		name:  "network made by hand with a spec name: used as it is",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v["LABELLED"] = "" },
		never: append(append([]string{}, creates...), removes...),
	}, {
		name:  "network missing: created",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v["OVERLAYS"], v["LABELLED"] = "ingress", "" },
		want:  []string{"exec manager docker network create --driver overlay --label dev.swarmgen.network=true --attachable ch03"},
		never: append([]string{"stack deploy", "service create"}, removes...),
		plan:  []string{"+ network ch03"},
	}, {
		name:  "network the lab made and the spec dropped: removed; one made by hand stays",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v["OVERLAYS"], v["LABELLED"] = "ingress ch03 old mine", "ch03 old" },
		want:  []string{"exec manager docker network rm old"},
		never: append([]string{"network rm ch03", "network rm mine", "network rm ingress"}, creates...),
		plan:  []string{"- network old"},
	}, {
		name: "stack changed: redeployed and recorded; the other stack is left alone",
		lab:  "classic",
		edit: func(v fakelab.Vars) { v.Drop("STACKS", "echo"); v.Add("STACKS", "echo 0000") },
		// in one exec: the deploy, then the old record's removal, then the new one
		order: []string{"exec manager sh -c", `docker stack deploy --prune -c "$2" "$1" >/dev/null || exit`, "docker config rm $ids", `docker config create --label "dev.swarmgen.stack=$1" --label "dev.swarmgen.hash=$3" "$4" - >/dev/null` + deployCall("echo", "ch03-webapi") + "51f60dec45741a62 swarmgen-stack-51f60dec45741a62-echo\n"},
		never: append([]string{"visualizer.yml", "visualizer\n", "service create"}, removes...),
		plan:  []string{"~ stack echo"},
	}, {
		name:  "stack the spec dropped: removed with its record; one deployed by hand stays",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v.Add("STACKS", "old 1111", "mine -") },
		order: []string{"exec manager docker stack rm old\n", `docker config ls -q --filter "label=dev.swarmgen.stack=$1"`, "docker config rm $ids >/dev/null; } sh old\n"},
		never: append([]string{"stack rm mine", "stack rm echo", "stack rm visualizer"}, creates...),
		plan:  []string{"- stack old"},
	}, {
		// the lab's records are in the swarm (configs), not on the disk of
		// the manager that led when a stack was deployed
		name: "another manager leads now (the leader's container was killed): an unchanged stack stays, a dropped one goes",
		lab:  "ha",
		edit: func(v fakelab.Vars) {
			v["NODES"] = strings.NewReplacer("manager01 Ready Leader", "manager01 Ready Reachable",
				"manager02 Ready Reachable", "manager02 Ready Leader").Replace(v["NODES"])
			v.Add("STACKS", "old 1111")
		},
		order: []string{"exec ha-manager02 docker stack rm old\n", `docker config ls -q --filter "label=dev.swarmgen.stack=$1"`},
		never: append([]string{"stack rm web", "stack rm data", "exec ha-manager01 docker stack"}, creates...),
		plan:  []string{"- stack old"},
	}, {
		name:  "service changed: removed and created with the new definition",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v["SERVICES"] = "echo 0000" },
		order: []string{"exec manager docker service rm echo\n", "exec manager docker service create --label dev.swarmgen.hash="},
		never: []string{"stack deploy", "service update", "network create", "push "},
		plan:  []string{"~ service echo"},
	}, {
		name:  "service the spec dropped: removed",
		lab:   "classic",
		edit:  func(v fakelab.Vars) { v.Add("SERVICES", "old 1111") },
		want:  []string{"exec manager docker service rm old\n"},
		never: append([]string{"service rm echo"}, creates...),
		plan:  []string{"- service old"},
	}, {
		name: "image changed: the registry holds another digest; pushed",
		lab:  "classic",
		edit: func(v fakelab.Vars) {
			v.Drop("REGISTRY", "yutsuki/echo:latest")
			v.Add("REGISTRY", "yutsuki/echo:latest other")
		},
		want:  []string{"push --quiet -- localhost:5000/yutsuki/echo:latest"},
		never: append([]string{"push --quiet -- localhost:5000/swarmgen/visualizer", "stack deploy"}, removes...),
		say:   "registry:5000/swarmgen/visualizer:latest unchanged",
		plan:  []string{"+ image registry:5000/yutsuki/echo:latest"},
	}, {
		name: "image rebuilt: its build context changed; pushed",
		lab:  "classic",
		edit: func(v fakelab.Vars) {
			v["REBUILT"] = "localhost:5000/yutsuki/echo:latest"
			v.Drop("PUSHED", "localhost:5000/yutsuki/echo:latest") // the new build was never pushed
		},
		// the image the rebuild replaced is removed: rebuilds do not pile up
		want:  []string{"push --quiet -- localhost:5000/yutsuki/echo:latest", "image rm -- sha256:old"},
		never: append([]string{"push --quiet -- localhost:5000/swarmgen/visualizer"}, removes...),
		plan:  []string{"~ image registry:5000/yutsuki/echo:latest"},
	}, {
		name: "image rebuilt, the image it replaced tagged by the user too: kept",
		lab:  "classic",
		edit: func(v fakelab.Vars) {
			v["REBUILT"] = "localhost:5000/yutsuki/echo:latest"
			v.Drop("PUSHED", "localhost:5000/yutsuki/echo:latest")
		},
		first: `  "docker image inspect --format {{len .RepoTags}} -- sha256:old") echo 1 ;;`,
		want:  []string{"push --quiet -- localhost:5000/yutsuki/echo:latest"},
		never: append([]string{"image rm "}, removes...),
		plan:  []string{"~ image registry:5000/yutsuki/echo:latest"},
	}, {
		// just restarted: its engine answers before it has loaded its
		// swarm state (pending, no node ID yet), then reports its ID
		name: "a worker that answers before it has loaded its swarm state: waited for, never joined again",
		lab:  "ha",
		// swarm, and the leader lists it Down meanwhile
		first: `  "docker exec ha-worker02 docker info --format {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} "*)
    if [ "$(nth w2)" -le 2 ]; then echo "pending  "; exit 0; fi ;;&
  "docker exec "*" sh -c "*"t=\$(mktemp -d)"*) # a read (the wait for convergence, which brings one, sees it Ready)
    case "$*" in *"--- read"*) ;; *) NODES=${NODES/worker02 Ready/worker02 Down} ;; esac ;;&`,
		want:  []string{"exec ha-worker02 docker info"},
		never: append(append([]string{}, creates...), removes...),
	}, {
		// after a restart the managers elect a leader: none answers for a
		// while; up waits, a plan waits 2 s only (a read of the three
		// managers every 0.5 s: far fewer than 30), not for an election
		name: "managers that answer before they have a leader: up waits, nothing changes",
		lab:  "ha",
		first: `  "docker exec "*" sh -c "*"t=\$(mktemp -d)"*)
    [ "$(nth leader)" -gt 30 ] || { echo "from $2"; echo "state $2 pending  "; exit 0; } ;;&`,
		never:     append(append([]string{}, creates...), removes...),
		say:       "the swarm is up; ha-manager01 leads it",
		planFails: "the swarm has no leader (waited 2s)",
	}, {
		// swarmgen recover made manager02 the only manager of a new
		// cluster and wiped manager01's and manager03's swarm state
		name: "managers left out by recover: they join the survivor, which is never re-initialised",
		lab:  "ha",
		edit: func(v fakelab.Vars) {
			v.Drop("NODES", "manager01", "manager03")
			v.Drop("NODES", "manager02")
			v.Add("NODES", "manager02 Ready Leader")
			v.Drop("LABELS", "manager01", "manager03")
		},
		want: []string{joinCall("ha-manager01", haLeader, "10.247.136.11"), joinCall("ha-manager03", "10.247.136.12", "10.247.136.11"),
			"exec ha-manager02 docker node update --label-add zone=a --label-add dev.swarmgen.labels=zone manager01\n",
			"exec ha-manager02 docker node update --label-add zone=c --label-add dev.swarmgen.labels=zone manager03\n"},
		never: append([]string{"SWARMGEN_JOIN_TOKEN ha-manager02 ", "SWARMGEN_JOIN_TOKEN ha-worker0", "exec ha-manager01 docker node update", "swarm init"}, removes...),
		plan:  []string{"+ label manager01", "+ label manager03", "+ node manager01", "+ node manager03"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, calls, err := runLab(t, tc.lab, tc.edit, tc.first)
			if err != nil {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			checkCalls(t, calls, tc.want, tc.never)
			checkInOrder(t, calls, tc.order)
			if !strings.Contains(out, tc.say) || !strings.Contains(out, "<== summary ok") {
				t.Errorf("output lacks %q or the summary:\n%s", tc.say, out)
			}
			if strings.Contains(out+calls, "SWMTKN") {
				t.Errorf("a join token is shown:\n%s\ncalls:\n%s", out, calls)
			}

			out, calls, err = runLab(t, tc.lab, tc.edit, tc.first, "--plan")
			checkReadOnly(t, calls)
			if tc.planFails != "" {
				if err == nil || !strings.Contains(out, tc.planFails) {
					t.Errorf("--plan: %v, want a failure saying %q:\n%s", err, tc.planFails, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("--plan: %v\n%s\ncalls:\n%s", err, out, calls)
			}
			if got := planLines(t, out); !slices.Equal(got, append([]string{}, tc.plan...)) {
				t.Errorf("plan lines:\n%q\nwant:\n%q\n%s", got, tc.plan, out)
			}
		})
	}
}

// Engines that answer, as they start, that they are in no swarm need no
// swarm read before the swarm is made (an exec on a cold up); a manager
// that answers it is in one is read, as before.
func TestFreshEnginesNeedNoRead(t *testing.T) {
	const read = `t=$(mktemp -d)`
	for _, tc := range []struct {
		name  string
		edit  func(fakelab.Vars)
		reads int // swarm reads between compose up and the next change
	}{
		{"every engine in no swarm", func(v fakelab.Vars) {
			v["INACTIVE"] = "manager worker01 worker02 worker03"
			v["NODES"] = "manager Ready Leader" // once init ran
		}, 0},
		{"the manager in its swarm", func(v fakelab.Vars) {}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := runLab(t, "classic", func(v fakelab.Vars) {
				// stopped: compose up starts them, and their engines are waited for
				v["STOPPED"] = "manager worker01 worker02 worker03"
				tc.edit(v)
			}, "")
			if err != nil {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			up := strings.Index(calls, " up -d")
			if up < 0 {
				t.Fatalf("no compose up:\n%s", calls)
			}
			after := calls[up:]
			if i := strings.Index(after, "swarm init"); i >= 0 {
				after = after[:i]
			} else if i := strings.Index(after, "swarm join"); i >= 0 {
				after = after[:i]
			}
			if n := strings.Count(after, read); n != tc.reads {
				t.Errorf("%d swarm reads after compose up, want %d:\n%s", n, tc.reads, calls)
			}
			if strings.Count(after, "sh -c i=0; until [ -S \"$3\" ]") != 4 {
				t.Errorf("want each of the 4 engines waited for once:\n%s", calls)
			}
		})
	}
}
