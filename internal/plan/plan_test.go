package plan_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/internal/plan"
	"github.com/swarmgen/swarmgen/internal/runner"
	"github.com/swarmgen/swarmgen/internal/testkit/fakelab"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

const labSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
routing_mesh: false # the plan does not depend on this machine's kernel
docker_endpoint: false # its steps have their own cases (golden/endpoint_steps_test.go)
managers: 3
workers:
  - name: worker01
    labels: {zone: a}
  - name: worker02
images:
  - source: yutsuki/echo:latest
  - build: ./testdata/app
    name: app:1
networks:
  - name: ch03
stacks:
  - name: web
    services:
      api:
        image: registry:5000/yutsuki/echo:latest
        networks: [ch03]
    networks:
      ch03: {external: true}
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
`

// The plan cases: the running lab as the fake lab (internal/fakelab)
// shows it (as up leaves it, then changed by each case), bootstrap.sh
// --plan run for real against it, and the plan printed, as
// testdata/<case>.txt holds it.
func TestPlanGolden(t *testing.T) {
	res, err := generator.GenerateBytes(generator.Options{SpecPath: "swarm.yaml", OutDir: "."}, []byte(labSpec))
	if err != nil {
		t.Fatal(err)
	}
	// the lab's directory: its generated files and the build context
	files := map[string][]byte{}
	var script []byte
	for _, f := range res.Files {
		files[f.Path] = f.Data
		if f.Path == "bootstrap.sh" {
			script = f.Data
		}
	}
	dockerfile, err := os.ReadFile("testdata/app/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	files["testdata/app/Dockerfile"] = dockerfile
	cases := map[string]func(v fakelab.Vars){
		"not-running": func(v fakelab.Vars) {
			for _, k := range []string{"CONTAINERS", "NODES", "LABELS", "OVERLAYS", "LABELLED", "STACKS", "SERVICES", "REGISTRY", "PUSHED", "CONTEXTS", "VOLUMES"} {
				v[k] = ""
			}
		},
		"in-sync": func(fakelab.Vars) {},
		"node-added": func(v fakelab.Vars) {
			v.Drop("NODES", "worker02")
			v.Drop("CONTAINERS", "worker02")
		},
		"node-removed": func(v fakelab.Vars) {
			v.Add("NODES", "worker03 Ready ")
			v.Add("CONTAINERS", "worker03")
		},
		// two of the three managers left can still elect
		"manager-removed": func(v fakelab.Vars) {
			v["NODES"] = strings.Replace(v["NODES"], "manager02 Ready", "manager02 Down", 1)
			v.Add("NODES", "manager04 Ready Reachable")
		},
		"manager-removed-quorum-lost": func(v fakelab.Vars) {
			v["NODES"] = strings.NewReplacer("manager02 Ready Reachable", "manager02 Down Unreachable", "manager03 Ready Reachable", "manager03 Down Unreachable").Replace(v["NODES"])
			v.Add("NODES", "manager04 Ready Reachable", "manager05 Ready Reachable")
		},
		"labels": func(v fakelab.Vars) { v["LABELS"] = "worker01 zone=b\nworker02 zone=c" },
		// disk was set by swarmgen, owner by hand: only disk goes
		"label-removed": func(v fakelab.Vars) {
			v.Add("LABELS", "worker02 disk=ssd", "worker02 owner=me", "worker02 dev.swarmgen.labels=disk")
		},
		// the host's images are not the ones the registry holds
		"image-changed":   func(v fakelab.Vars) { v["PUSHED"] = "" },
		"image-rebuilt":   func(v fakelab.Vars) { v["REBUILT"] = "localhost:5000/app:1" },
		"network-changes": func(v fakelab.Vars) { v["OVERLAYS"], v["LABELLED"] = "ingress old", "old" },
		// a network made by hand with the spec's name is there: nothing to add
		"network-by-hand": func(v fakelab.Vars) { v["LABELLED"] = "" },
		"stack-changes":   func(v fakelab.Vars) { v["STACKS"] = "web 0000\ngone 1111" },
		"service-changes": func(v fakelab.Vars) { v["SERVICES"] = "echo 0000\ngone 1111" },
		// the nodes' containers exited (the registry runs)
		"stopped": func(v fakelab.Vars) { v["STOPPED"] = v["CONTAINERS"]; v.Drop("STOPPED", "registry") },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			s := fakelab.Parse(string(script))
			dir, vars := s.Up(t, files)
			edit(vars)
			stub := stubdocker.New(t, fakelab.Scenario(vars, ""), fakelab.Commands...)
			stub.Use(t)
			p, err := runner.Plan(context.Background(), dir, script, files["docker-compose.yml"])
			if err != nil {
				t.Fatalf("%v\ncalls:\n%s", err, stub.Calls())
			}
			var buf bytes.Buffer
			p.Print(&buf, false)
			goldenfile.Check(t, filepath.Join("testdata", name+".txt"), buf.Bytes())
			calls := stub.Calls()
			for _, change := range []string{"compose -f docker-compose.yml up", "--project-directory . up", "swarm init", "swarm join ", "swarm leave", "node update",
				"node demote", "node rm", "docker push", " push ", "network create", "network rm", "stack deploy", "stack rm",
				"service create", "service rm", "volume rm", " tag "} {
				if strings.Contains(calls, change) {
					t.Errorf("a plan ran %q; calls:\n%s", change, calls)
				}
			}
			if name == "in-sync" || name == "network-by-hand" {
				if !p.Empty() || len(p.Refusals) > 0 {
					t.Errorf("plan of a lab in sync: %+v", p)
				}
			}
		})
	}
}

// labFiles are the files generator renders from spec, by path, and the
// build context of its image app:1.
func labFiles(t *testing.T, spec string) map[string][]byte {
	t.Helper()
	res, err := generator.GenerateBytes(generator.Options{SpecPath: "swarm.yaml", OutDir: "."}, []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range res.Files {
		files[f.Path] = f.Data
	}
	dockerfile, err := os.ReadFile("testdata/app/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	files["testdata/app/Dockerfile"] = dockerfile
	return files
}

// A plan reads the compose file as rendered now, not the one the lab's
// directory still holds from the last up: the node containers whose
// definition the spec changed are listed with why (compose's config hash
// of the new file against the one each container was made from), and
// only those. With the lab's old file, nothing would show.
func TestPlanReadsRenderedCompose(t *testing.T) {
	base := strings.Replace(labSpec, "managers: 3\n", "managers: [{name: manager01}, {name: manager02}, {name: manager03}]\n", 1)
	upFiles := labFiles(t, base)
	cases := map[string]struct {
		spec string
		want []string
	}{
		"node-image": {
			spec: base + "nodes: {image: docker:27-dind}\n",
			want: []string{"worker01", "worker02", "manager02", "manager03", "manager01"},
		},
		"manager-port": {
			spec: strings.Replace(base, "{name: manager02}", `{name: manager02, ports: ["18111:8080"]}`, 1),
			want: []string{"manager02"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := fakelab.Parse(string(upFiles["bootstrap.sh"]))
			dir, vars := s.Up(t, upFiles)
			stub := stubdocker.New(t, fakelab.Scenario(vars, ""), fakelab.Commands...)
			stub.Use(t)
			now := labFiles(t, c.spec)
			if bytes.Equal(now["docker-compose.yml"], upFiles["docker-compose.yml"]) {
				t.Fatal("the spec's change does not change docker-compose.yml")
			}
			// the script as rendered now, the lab's directory as up left it
			p, err := runner.Plan(context.Background(), dir, now["bootstrap.sh"], now["docker-compose.yml"])
			if err != nil {
				t.Fatalf("%v\ncalls:\n%s", err, stub.Calls())
			}
			var got []string
			for _, a := range p.Actions {
				if a.Kind == "node" {
					got = append(got, string(a.Op)+" "+a.Name+": "+a.Detail)
				}
			}
			var want []string
			for _, n := range c.want {
				why := "ports"
				if name == "node-image" {
					why = "image docker:28.5.2-dind -> docker:27-dind"
				}
				want = append(want, "~ "+n+": recreate ("+why+")")
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("node lines of the plan:\n%s\nwant:\n%s\ncalls:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), stub.Calls())
			}
			if calls := stub.Calls(); !strings.Contains(calls, "--project-directory . config --hash") || strings.Contains(calls, " up ") {
				t.Errorf("want compose config --hash of the file handed over, and no compose up; calls:\n%s", calls)
			}

			// the defect this guards: the lab's own (old) compose file shows no change
			p, err = runner.Plan(context.Background(), dir, now["bootstrap.sh"], nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range p.Actions {
				if a.Kind == "node" {
					t.Errorf("with the lab's old docker-compose.yml: %c node %s: %s", a.Op, a.Name, a.Detail)
				}
			}
		})
	}
}

func TestParse(t *testing.T) {
	p, err := plan.Parse("==> nodes-up\nplan\t+\tnode\tworker04\tworker at 10.0.0.4\nsome output\nplan\t!\trefused\t-\twhy not\nplan\t-\tstack\tgone\t\n")
	if err != nil {
		t.Fatal(err)
	}
	want := plan.Plan{
		Actions:  []plan.Action{{Op: '+', Kind: "node", Name: "worker04", Detail: "worker at 10.0.0.4"}, {Op: '-', Kind: "stack", Name: "gone"}},
		Refusals: []string{"why not"},
	}
	if len(p.Actions) != 2 || p.Actions[0] != want.Actions[0] || p.Actions[1] != want.Actions[1] || len(p.Refusals) != 1 || p.Refusals[0] != "why not" {
		t.Errorf("Parse = %+v, want %+v", p, want)
	}
	for _, bad := range []string{"plan\t?\tnode\tx\t", "plan\t+\tnode\tx"} {
		if _, err := plan.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a line it cannot read", bad)
		}
	}
}

func TestPrintColours(t *testing.T) {
	var buf bytes.Buffer
	plan.Plan{Actions: []plan.Action{{Op: '+', Kind: "node", Name: "worker02", Detail: "worker"}}}.Print(&buf, true)
	if !strings.Contains(buf.String(), "\033[32m  + node worker02") {
		t.Errorf("no green add line:\n%q", buf.String())
	}
}

// A plan that is only a refusal (a machine in another swarm) does not
// also say that the lab matches the spec.
func TestRefusalOnlyIsNotNoChanges(t *testing.T) {
	var b strings.Builder
	plan.Plan{Refusals: []string{"machine w1 is in another swarm"}}.Print(&b, false)
	if strings.Contains(b.String(), "No changes") || !strings.Contains(b.String(), "refused: machine w1") {
		t.Errorf("got:\n%s", b.String())
	}
	b.Reset()
	plan.Plan{}.Print(&b, false)
	if !strings.Contains(b.String(), "No changes") {
		t.Errorf("an empty plan: %q", b.String())
	}
}
