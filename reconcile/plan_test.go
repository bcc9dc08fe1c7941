package reconcile

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/goldenfile"
	"github.com/swarmgen/swarmgen/generator/model"
)

const labSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
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

func lab(t *testing.T) *model.Lab {
	t.Helper()
	res, err := generator.GenerateBytes(generator.Options{SpecPath: "swarm.yaml"}, []byte(labSpec))
	if err != nil {
		t.Fatal(err)
	}
	return res.Lab
}

// inSync is what Observe sees once `up` has applied the spec.
func inSync(l *model.Lab) *Observed {
	o := &Observed{Running: true, Stacks: map[string]string{}, Services: map[string]string{}, Images: map[string]bool{}}
	for _, n := range l.Nodes() {
		labels := map[string]string{}
		for _, kv := range n.Labels {
			labels[kv.Key] = kv.Value
		}
		if keys := n.LabelKeys(); keys != "" {
			labels[model.ManagedLabels] = keys
		}
		o.Nodes = append(o.Nodes, Node{Name: n.Name, Role: n.Role, State: "ready", Labels: labels})
	}
	for _, n := range l.Networks {
		o.Networks = append(o.Networks, n.Name)
	}
	for _, s := range l.Stacks {
		o.Stacks[s.DeployAs] = s.Hash
	}
	for _, s := range l.Services {
		o.Services[s.Name] = s.Hash
	}
	for _, img := range l.Images {
		o.Images[img.RegistryRef] = true
	}
	return o
}

func TestPlanGolden(t *testing.T) {
	cases := map[string]func(o *Observed){
		"not-running": func(o *Observed) { *o = Observed{} },
		"in-sync":     func(o *Observed) {},
		"node-added":  func(o *Observed) { o.Nodes = o.Nodes[:len(o.Nodes)-1] },
		"node-removed": func(o *Observed) {
			o.Nodes = append(o.Nodes, Node{Name: "worker03", Role: "worker", State: "ready"})
		},
		"manager-removed": func(o *Observed) {
			o.Nodes = append(o.Nodes, Node{Name: "manager04", Role: "manager", State: "ready"})
			o.Nodes[0].State = "down" // two of the three left can still elect
		},
		"manager-removed-quorum-lost": func(o *Observed) {
			o.Nodes = append(o.Nodes, Node{Name: "manager04", Role: "manager", State: "ready"}, Node{Name: "manager05", Role: "manager", State: "ready"})
			o.Nodes[0].State, o.Nodes[1].State = "down", "down"
		},
		"labels": func(o *Observed) {
			o.Nodes[3].Labels = map[string]string{"zone": "b"}
			o.Nodes[4].Labels = nil
		},
		"label-removed": func(o *Observed) {
			// disk was set by swarmgen, owner by hand: only disk goes
			o.Nodes[4].Labels = map[string]string{"disk": "ssd", "owner": "me", model.ManagedLabels: "disk"}
		},
		"image-changed": func(o *Observed) { o.Images = map[string]bool{} },
		"image-rebuilt": func(o *Observed) {
			o.Stale = map[string]bool{"registry:5000/app:1": true}
		},
		"network-changes": func(o *Observed) { o.Networks = []string{"old"} },
		"stack-changes": func(o *Observed) {
			o.Stacks = map[string]string{"web": "0000", "gone": "1111"}
		},
		"service-changes": func(o *Observed) {
			o.Services = map[string]string{"echo": "0000", "gone": "1111"}
		},
	}
	l := lab(t)
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			o := inSync(l)
			mutate(o)
			var buf bytes.Buffer
			Diff(l, o).Print(&buf, false)
			goldenfile.Check(t, filepath.Join("testdata", name+".txt"), buf.Bytes())
		})
	}
}

func TestPlanInSyncIsEmpty(t *testing.T) {
	l := lab(t)
	if p := Diff(l, inSync(l)); !p.Empty() || len(p.Refusals) > 0 {
		t.Errorf("plan of a lab in sync: %+v", p)
	}
}

func TestQuorumRefusal(t *testing.T) {
	l := lab(t) // 3 managers
	o := inSync(l)
	o.Nodes = append(o.Nodes, Node{Name: "manager04", Role: "manager", State: "ready"}, Node{Name: "manager05", Role: "manager", State: "ready"})
	if p := Diff(l, o); len(p.Refusals) != 0 {
		t.Errorf("5 -> 3 healthy managers keeps quorum, got refusals %v", p.Refusals)
	}
	o.Nodes[0].State = "down"
	o.Nodes[1].State = "down"
	if p := Diff(l, o); len(p.Refusals) != 1 || !strings.Contains(p.Refusals[0], "lose quorum") {
		t.Errorf("5 -> 3 with 2 down must be refused, got %v", p.Refusals)
	}
}

func TestPrintColours(t *testing.T) {
	l := lab(t)
	o := inSync(l)
	o.Nodes = o.Nodes[:len(o.Nodes)-1]
	var buf bytes.Buffer
	Diff(l, o).Print(&buf, true)
	if !strings.Contains(buf.String(), "\033[32m  + node worker02") {
		t.Errorf("no green add line:\n%q", buf.String())
	}
}
