// Package plan holds what `swarmgen up` would change in a running lab, as
// bootstrap.sh in plan mode reports it, and prints it grouped like a
// terraform plan. The script alone decides what changes: it prints one
// line per change (Tag, op, kind, name, detail, separated by tabs) where
// it would act, so plan and up cannot disagree.
package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Tag starts every plan line of bootstrap.sh --plan; the template gets it
// from here.
const Tag = "plan"

// Refused is the op of a change the script refuses (unless forced).
const Refused = '!'

// Action is one change.
type Action struct {
	Op     byte   // '+' add, '~' change, '-' remove
	Kind   string // node, label, image, network, secret, stack, service
	Name   string
	Detail string
}

// Plan is every change `up` would make, and why some are refused.
type Plan struct {
	Actions  []Action
	Refusals []string
}

// Parse reads the output of bootstrap.sh --plan: lines that start with
// Tag and a tab are changes; every other line (the steps' progress) is
// not part of the plan.
func Parse(out string) (Plan, error) {
	var p Plan
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, Tag+"\t")
		if !ok {
			continue
		}
		f := strings.SplitN(rest, "\t", 4)
		if len(f) != 4 || len(f[0]) != 1 || !strings.Contains("+~-"+string(Refused), f[0]) {
			return Plan{}, fmt.Errorf("bootstrap.sh --plan printed a line swarmgen cannot read: %q", line)
		}
		if f[0][0] == Refused {
			p.Refusals = append(p.Refusals, f[3])
			continue
		}
		p.Actions = append(p.Actions, Action{Op: f[0][0], Kind: f[1], Name: f[2], Detail: f[3]})
	}
	return p, nil
}

// Empty reports whether there is nothing to do.
func (p Plan) Empty() bool { return len(p.Actions) == 0 }

var kindOrder = []string{"certificate", "registry", "node", "label", "image", "network", "secret", "stack", "service", "context"}

// ordered is the actions as Print and the JSON show them: by kind, then
// by name (the script plans nodes and images in parallel, in no set
// order); a kind this package does not know comes last.
func (p Plan) ordered() []Action {
	rank := func(kind string) int {
		if i := slices.Index(kindOrder, kind); i >= 0 {
			return i
		}
		return len(kindOrder)
	}
	actions := slices.Clone(p.Actions)
	slices.SortStableFunc(actions, func(a, b Action) int {
		if d := rank(a.Kind) - rank(b.Kind); d != 0 {
			return d
		}
		if d := strings.Compare(a.Kind, b.Kind); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	return actions
}

// Print writes the plan grouped by kind, with + ~ - marks, coloured on a
// terminal.
func (p Plan) Print(w io.Writer, color bool) {
	if p.Empty() && len(p.Refusals) == 0 {
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
	kind := ""
	for _, a := range p.ordered() {
		if a.Kind != kind {
			kind = a.Kind
			fmt.Fprintf(w, "%s:\n", plural(kind))
		}
		counts[a.Op]++
		line := fmt.Sprintf("  %c %s %s", a.Op, a.Kind, a.Name)
		if a.Detail != "" {
			line += ": " + a.Detail
		}
		fmt.Fprintln(w, paint(a.Op, line))
	}
	if !p.Empty() {
		fmt.Fprintf(w, "Plan: %d to add, %d to change, %d to remove.\n", counts['+'], counts['~'], counts['-'])
	}
	for _, r := range p.Refusals {
		fmt.Fprintln(w, paint('-', "refused: "+r))
	}
}

// plural is a kind's heading: nodes, registries.
func plural(kind string) string {
	if s, ok := strings.CutSuffix(kind, "y"); ok {
		return s + "ies"
	}
	return kind + "s"
}

// opNames are the words `plan --json` uses for Action.Op.
var opNames = map[byte]string{'+': "add", '~': "change", '-': "remove"}

// MarshalJSON is the plan as `swarmgen plan --json` prints it:
//
//	{"actions": [{"op": "add"|"change"|"remove", "kind": "certificate"|"registry"|"node"|"label"|"image"|"network"|"secret"|"stack"|"service"|"context",
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
	for _, a := range p.ordered() {
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
	return json.Marshal(out)
}
