package spec

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// TreeProblem is a YAML document that swarmgen refuses to walk: an anchor
// used inside itself (every walk of it would loop), aliases that expand
// to more than MaxYAMLNodes nodes, or nesting deeper than MaxYAMLDepth
// (compose-go's merging takes minutes over a few thousand levels). yaml.v3 guards against both only when
// it decodes into Go values, never for the yaml.Node trees swarmgen reads.
type TreeProblem struct {
	Line, Col int // of the alias at fault
	Msg       string
}

// CheckTree looks for the problems of TreeProblem in a parsed document,
// in time linear in its size as written.
func CheckTree(root *yaml.Node) *TreeProblem {
	t := treeWalk{size: map[*yaml.Node]int{}, height: map[*yaml.Node]int{}, open: map[*yaml.Node]bool{}}
	total := t.count(root)
	if t.cycle != nil {
		a := t.cycle
		return &TreeProblem{a.Line, a.Column, fmt.Sprintf("*%s is used inside the &%s it names, which would repeat forever; copy the values you need instead of the alias", a.Value, a.Value)}
	}
	if t.heightOf(root) > MaxYAMLDepth+docLevels(root) {
		n := t.deepest(root, MaxYAMLDepth+docLevels(root))
		return &TreeProblem{n.Line, n.Column, fmt.Sprintf("values are nested more than %d levels deep here; a spec or stack file needs far fewer, flatten it", MaxYAMLDepth)}
	}
	if total <= MaxYAMLNodes {
		return nil
	}
	a := t.biggest
	if a == nil { // no alias: the document itself is that large
		return &TreeProblem{root.Line, root.Column, fmt.Sprintf("the document has more than %d YAML nodes; split it or simplify it", MaxYAMLNodes)}
	}
	return &TreeProblem{a.Line, a.Column, fmt.Sprintf("excessive aliasing: with its aliases expanded the document has more than %d YAML nodes (*%s alone stands for %s); write the values out or use fewer nested aliases", MaxYAMLNodes, a.Value, sizeText(t.size[resolve(a)]))}
}

type treeWalk struct {
	size    map[*yaml.Node]int  // expanded size of each node counted, capped
	height  map[*yaml.Node]int  // levels below and including each node, aliases expanded
	open    map[*yaml.Node]bool // nodes being counted: an alias to one is a cycle
	cycle   *yaml.Node          // the first alias found inside its anchor
	biggest *yaml.Node          // the alias that stands for the most nodes
}

// count returns n's size with aliases expanded, capped just above
// MaxYAMLNodes so that no sum can overflow.
func (t *treeWalk) count(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		target := n.Alias
		if target == nil {
			return 1
		}
		if t.open[target] {
			if t.cycle == nil {
				t.cycle = n
			}
			return 1
		}
		s := t.count(target)
		if t.biggest == nil || s > t.size[resolve(t.biggest)] {
			t.biggest = n
		}
		return s
	}
	if s, ok := t.size[n]; ok {
		return s
	}
	t.open[n] = true
	s, h := 1, 0
	for _, c := range n.Content {
		s = min(s+t.count(c), MaxYAMLNodes+1)
		h = max(h, t.heightOf(c))
	}
	delete(t.open, n)
	t.size[n] = s
	t.height[n] = h + 1
	return s
}

// heightOf is n's height once counted; an alias has its anchor's.
func (t *treeWalk) heightOf(n *yaml.Node) int {
	if n != nil && n.Kind == yaml.AliasNode {
		if n.Alias == nil || t.open[n.Alias] {
			return 1
		}
		return t.height[n.Alias]
	}
	return t.height[n]
}

// deepest walks down the highest branch of n to the node at level max+1,
// the first one past the limit, to report where the nesting goes too far.
func (t *treeWalk) deepest(n *yaml.Node, max int) *yaml.Node {
	for level := 1; level <= max; level++ {
		var next *yaml.Node
		for _, c := range resolve(n).Content {
			if next == nil || t.heightOf(c) > t.heightOf(next) {
				next = c
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n
}

// docLevels is the levels a document node adds above the values (one for
// a document, none for a value alone), which do not count as nesting.
func docLevels(root *yaml.Node) int {
	if root.Kind == yaml.DocumentNode {
		return 1
	}
	return 0
}

func sizeText(n int) string {
	if n > MaxYAMLNodes {
		return fmt.Sprintf("more than %d", MaxYAMLNodes)
	}
	return fmt.Sprint(n)
}
