// Package plan holds what `swarmgen up` would change in a running lab, as
// bootstrap.sh in plan mode reports it, and prints it grouped like a
// terraform plan. The script alone decides what changes: it prints one
// line per change (Tag, op, kind, name, detail, separated by tabs) where
// it would act, so plan and up cannot disagree.
package plan

import (
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
	Kind   string // node, label, image, network, stack, service
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
	// the script plans nodes and images in parallel: print in a stable order
	actions := slices.Clone(p.Actions)
	slices.SortStableFunc(actions, func(a, b Action) int { return strings.Compare(a.Name, b.Name) })
	counts := map[byte]int{}
	grouped := map[string][]string{}
	var kinds []string
	for _, kind := range kindOrder {
		grouped[kind] = nil
	}
	for _, a := range actions {
		if _, known := grouped[a.Kind]; !known {
			kinds = append(kinds, a.Kind) // a kind this printer does not know: after the others
		}
		counts[a.Op]++
		line := fmt.Sprintf("  %c %s %s", a.Op, a.Kind, a.Name)
		if a.Detail != "" {
			line += ": " + a.Detail
		}
		grouped[a.Kind] = append(grouped[a.Kind], paint(a.Op, line))
	}
	for _, kind := range append(kindOrder, kinds...) {
		if lines := grouped[kind]; len(lines) > 0 {
			fmt.Fprintf(w, "%ss:\n%s\n", kind, strings.Join(lines, "\n"))
			grouped[kind] = nil
		}
	}
	if !p.Empty() {
		fmt.Fprintf(w, "Plan: %d to add, %d to change, %d to remove.\n", counts['+'], counts['~'], counts['-'])
	}
	for _, r := range p.Refusals {
		fmt.Fprintln(w, paint('-', "refused: "+r))
	}
}
