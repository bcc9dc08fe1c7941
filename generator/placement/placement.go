// Package placement parses swarm placement constraints and tells which
// lab nodes satisfy them, so a spec that can never be scheduled is caught
// before the lab starts.
package placement

import (
	"fmt"
	"regexp"
	"strings"
)

// Node is what a constraint can look at.
type Node struct {
	Name   string
	Role   string // manager or worker
	Labels map[string]string
}

// Constraint is one `key == value` or `key != value` expression.
type Constraint struct {
	Key   string
	Equal bool
	Value string
}

var (
	exprRe = regexp.MustCompile(`^\s*([A-Za-z0-9_.\-]+)\s*(==|!=)\s*(\S+)\s*$`)
	keyRe  = regexp.MustCompile(`^(node\.(id|hostname|role|platform\.os|platform\.arch)|(node|engine)\.labels\.[A-Za-z0-9_.\-]+)$`)
)

// Parse checks one constraint and says how to write it when it is wrong.
func Parse(expr string) (Constraint, error) {
	m := exprRe.FindStringSubmatch(expr)
	if m == nil {
		return Constraint{}, fmt.Errorf("%q is not a placement constraint: write KEY == VALUE or KEY != VALUE, e.g. node.role == worker", expr)
	}
	c := Constraint{Key: m[1], Equal: m[2] == "==", Value: m[3]}
	if !keyRe.MatchString(c.Key) {
		return Constraint{}, fmt.Errorf("%q: unknown constraint key %q (use node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<key> or engine.labels.<key>)", expr, c.Key)
	}
	if c.Key == "node.role" && c.Value != "manager" && c.Value != "worker" {
		return Constraint{}, fmt.Errorf("%q: node.role is manager or worker, not %q", expr, c.Value)
	}
	return c, nil
}

// Matches reports whether n may run a task under c. Keys the lab cannot
// know in advance (node.id, engine labels, platform) are assumed to match.
func (c Constraint) Matches(n Node) bool {
	var have string
	var known bool
	switch {
	case c.Key == "node.role":
		have, known = n.Role, true
	case c.Key == "node.hostname":
		have, known = n.Name, true
	case strings.HasPrefix(c.Key, "node.labels."):
		v, ok := n.Labels[strings.TrimPrefix(c.Key, "node.labels.")]
		if !ok {
			return !c.Equal // a missing label never equals, always differs
		}
		have, known = v, true
	}
	if !known {
		return true
	}
	return (have == c.Value) == c.Equal
}

// Eligible returns the nodes that satisfy every constraint.
func Eligible(nodes []Node, cs []Constraint) []Node {
	var out []Node
	for _, n := range nodes {
		ok := true
		for _, c := range cs {
			if !c.Matches(n) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, n)
		}
	}
	return out
}
