// Package reconcile compares a lab's spec with the lab running on this
// host and says what `swarmgen up` will change, like a terraform plan,
// refusing changes that would break the swarm.
package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/swarmgen/swarmgen/generator/model"
)

// Observed is the running lab as the host and its leading manager see it.
type Observed struct {
	Running  bool // a manager of the lab answered
	Nodes    []Node
	Networks []string          // overlay networks the lab created
	Stacks   map[string]string // deployed stack -> hash of its file ("" unknown)
	Services map[string]string // standalone service -> hash of its definition
	Images   map[string]bool   // registry refs whose registry digest matches the local image
	Stale    map[string]bool   // registry refs of built images whose build context changed
}

// Node is a swarm node as observed.
type Node struct {
	Name, Role, State string
	Labels            map[string]string
}

// Action is one change.
type Action struct {
	Op     byte   // '+' add, '-' remove, '~' change
	Kind   string // node, label, image, network, stack, service
	Name   string
	Detail string
}

// Plan is every change `up` would make, and why some are refused.
type Plan struct {
	Actions  []Action
	Refusals []string
}

// Only keeps the actions of the given kinds (refusals stay).
func (p Plan) Only(kinds ...string) Plan {
	out := Plan{Refusals: p.Refusals}
	for _, a := range p.Actions {
		for _, k := range kinds {
			if a.Kind == k {
				out.Actions = append(out.Actions, a)
			}
		}
	}
	return out
}

// Empty reports whether there is nothing to do.
func (p Plan) Empty() bool { return len(p.Actions) == 0 }

// Diff compares the lab the spec describes with the one observed.
func Diff(l *model.Lab, o *Observed) Plan {
	var p Plan
	add := func(op byte, kind, name, detail string) {
		p.Actions = append(p.Actions, Action{op, kind, name, detail})
	}
	if !o.Running {
		for _, n := range l.Nodes() {
			add('+', "node", n.Name, n.Role+" at "+n.Address)
		}
		for _, img := range l.Images {
			add('+', "image", img.RegistryRef, "push")
		}
		for _, n := range l.Networks {
			add('+', "network", n.Name, "overlay")
		}
		for _, s := range l.Stacks {
			add('+', "stack", s.DeployAs, "deploy "+s.File)
		}
		for _, s := range l.Services {
			add('+', "service", s.Name, s.Image)
		}
		return p
	}
	observed := map[string]Node{}
	for _, n := range o.Nodes {
		observed[n.Name] = n
	}
	want := map[string]bool{}
	managersAfter, managersBefore, managersDown := 0, 0, 0
	for _, n := range l.Nodes() {
		want[n.Name] = true
		have, ok := observed[n.Name]
		if n.Role == "manager" {
			managersAfter++
		}
		if !ok {
			add('+', "node", n.Name, n.Role+" at "+n.Address)
			have = Node{Role: n.Role} // its labels are all new
		}
		if have.Role != n.Role {
			add('~', "node", n.Name, fmt.Sprintf("role %s -> %s (recreate the lab to change roles)", have.Role, n.Role))
		}
		for _, kv := range n.Labels {
			switch v, ok := have.Labels[kv.Key]; {
			case !ok:
				add('+', "label", n.Name, kv.Key+"="+kv.Value)
			case v != kv.Value:
				add('~', "label", n.Name, fmt.Sprintf("%s=%s -> %s", kv.Key, v, kv.Value))
			}
		}
		// labels swarmgen set earlier that the spec no longer has
		keep := "," + n.LabelKeys() + ","
		for _, k := range strings.Split(have.Labels[model.ManagedLabels], ",") {
			if k != "" && !strings.Contains(keep, ","+k+",") {
				add('-', "label", n.Name, k)
			}
		}
	}
	var removedManagers []string
	for _, n := range o.Nodes {
		if n.Role == "manager" {
			managersBefore++
			if n.State != "ready" {
				managersDown++
			}
		}
		if !want[n.Name] {
			add('-', "node", n.Name, n.Role+": drain, leave the swarm, remove its container and volume")
			if n.Role == "manager" {
				removedManagers = append(removedManagers, n.Name)
			}
		}
	}
	if len(removedManagers) > 0 {
		// with managersAfter managers, a majority needs more than half up
		tolerated := (managersAfter - 1) / 2
		if managersAfter == 2 || managersDown > tolerated {
			p.Refusals = append(p.Refusals, fmt.Sprintf(
				"removing manager(s) %s leaves %d manager(s) of which %d may fail (%d are down now): the swarm would lose quorum while one is down; keep an odd number of managers (1, 3, 5) or pass --force",
				strings.Join(removedManagers, ", "), managersAfter, tolerated, managersDown))
		}
	}
	for _, img := range l.Images {
		switch {
		case o.Stale[img.RegistryRef]:
			add('~', "image", img.RegistryRef, "rebuild from "+img.Build+" (its build context changed) and push")
		case !o.Images[img.RegistryRef]:
			add('+', "image", img.RegistryRef, "push")
		}
	}
	wantNet := map[string]bool{}
	haveNet := map[string]bool{}
	for _, n := range o.Networks {
		haveNet[n] = true
	}
	for _, n := range l.Networks {
		wantNet[n.Name] = true
		if !haveNet[n.Name] {
			add('+', "network", n.Name, "overlay")
		}
	}
	for _, n := range o.Networks {
		if !wantNet[n] {
			add('-', "network", n, "")
		}
	}
	wantStack := map[string]bool{}
	for _, s := range l.Stacks {
		wantStack[s.DeployAs] = true
		switch hash, ok := o.Stacks[s.DeployAs]; {
		case !ok:
			add('+', "stack", s.DeployAs, "deploy "+s.File)
		case hash != s.Hash:
			add('~', "stack", s.DeployAs, "redeploy "+s.File)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Stacks)) {
		if !wantStack[name] {
			add('-', "stack", name, "")
		}
	}
	wantSvc := map[string]bool{}
	for _, s := range l.Services {
		wantSvc[s.Name] = true
		switch hash, ok := o.Services[s.Name]; {
		case !ok:
			add('+', "service", s.Name, s.Image)
		case hash != s.Hash:
			add('~', "service", s.Name, "recreate with the new definition")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Services)) {
		if !wantSvc[name] {
			add('-', "service", name, "")
		}
	}
	return p
}

// opNames are the words `plan --json` uses for Action.Op.
var opNames = map[byte]string{'+': "add", '~': "change", '-': "remove"}

// MarshalJSON is the plan as `swarmgen plan --json` prints it:
//
//	{"actions": [{"op": "add"|"change"|"remove", "kind": "node"|"label"|"image"|"network"|"stack"|"service",
//	              "name": "...", "detail": "..."}],
//	 "refused": ["..."], "add": 1, "change": 0, "remove": 2}
//
// with actions in the order Print shows them.
func (p Plan) MarshalJSON() ([]byte, error) {
	type action struct {
		Op     string `json:"op"`
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		Detail string `json:"detail,omitempty"`
	}
	out := struct {
		Actions []action `json:"actions"`
		Refused []string `json:"refused"`
		Add     int      `json:"add"`
		Change  int      `json:"change"`
		Remove  int      `json:"remove"`
	}{Actions: []action{}, Refused: append([]string{}, p.Refusals...)}
	for _, kind := range kindOrder {
		for _, a := range p.Actions {
			if a.Kind != kind {
				continue
			}
			out.Actions = append(out.Actions, action{opNames[a.Op], a.Kind, a.Name, a.Detail})
			switch a.Op {
			case '+':
				out.Add++
			case '~':
				out.Change++
			case '-':
				out.Remove++
			}
		}
	}
	return json.Marshal(out)
}

var kindOrder = []string{"node", "label", "image", "network", "stack", "service"}

// Print writes the plan grouped by kind, with + ~ - marks, coloured on a
// terminal.
func (p Plan) Print(w io.Writer, color bool) {
	if p.Empty() {
		fmt.Fprintln(w, "No changes: the lab matches the spec.")
	}
	paint := func(op byte, s string) string {
		if !color {
			return s
		}
		code := map[byte]string{'+': "32", '~': "33", '-': "31"}[op]
		return "\033[" + code + "m" + s + "\033[0m"
	}
	counts := map[byte]int{}
	for _, kind := range kindOrder {
		var lines []string
		for _, a := range p.Actions {
			if a.Kind != kind {
				continue
			}
			counts[a.Op]++
			line := fmt.Sprintf("  %c %s %s", a.Op, a.Kind, a.Name)
			if a.Detail != "" {
				line += ": " + a.Detail
			}
			lines = append(lines, paint(a.Op, line))
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "%ss:\n%s\n", kind, strings.Join(lines, "\n"))
		}
	}
	if !p.Empty() {
		fmt.Fprintf(w, "Plan: %d to add, %d to change, %d to remove.\n", counts['+'], counts['~'], counts['-'])
	}
	for _, r := range p.Refusals {
		fmt.Fprintln(w, paint('-', "refused: "+r))
	}
}
