package spec

import (
	"reflect"

	"gopkg.in/yaml.v3"
)

// decodeNode accepts `workers: 3` as well as a list of named nodes.
func (g *NodeGroup) decodeNode(d *decoder, n *yaml.Node, path string) {
	g.Set = true
	switch {
	case isNull(n):
		g.Set = false
	case n.Kind == yaml.ScalarNode && n.Tag == "!!int":
		var count int
		d.decode(n, reflect.ValueOf(&count).Elem(), path)
		g.Count = count
	case n.Kind == yaml.SequenceNode:
		d.decode(n, reflect.ValueOf(&g.Nodes).Elem(), path)
		if g.Nodes == nil {
			g.Nodes = []Node{}
		}
	default:
		d.errorf(n, path, "must be a number of nodes or a list of nodes, got %s", describe(n))
	}
}
