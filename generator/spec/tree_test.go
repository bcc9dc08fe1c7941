package spec

import (
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// bomb is levels of anchors, each a list of nine aliases of the one before.
func bomb(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= levels; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestCheckTree(t *testing.T) {
	for name, tc := range map[string]struct {
		doc, want string // want: "" for no problem, else part of the message
	}{
		"merge into itself":     {"nodes: &n\n  image: x\n  <<: *n\n", "*n is used inside the &n"},
		"list holding itself":   {"a: &l [1, *l]\n", "*l is used inside the &l"},
		"nested bomb":           {bomb(8), "excessive aliasing"},
		"bomb under the limit":  {bomb(3), ""}, // 9^4 nodes
		"aliases used twice":    {"x: &x {a: 1}\ny: *x\nz: [*x, *x]\n", ""},
		"nested too deep":       {"x: " + strings.Repeat("[", MaxYAMLDepth) + strings.Repeat("]", MaxYAMLDepth) + "\n", "nested more than 64 levels"},
		"nested to the limit":   {"x: " + strings.Repeat("[", MaxYAMLDepth-1) + strings.Repeat("]", MaxYAMLDepth-1) + "\n", ""},
		"deep through aliases":  {"a: &a " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\nb: " + strings.Repeat("[", 30) + "*a" + strings.Repeat("]", 30) + "\n", "nested more than 64 levels"},
		"large without aliases": {"l: [" + strings.Repeat("1,", MaxYAMLNodes) + "1]\n", "more than 100000 YAML nodes; split"},
	} {
		t.Run(name, func(t *testing.T) {
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(tc.doc), &root); err != nil {
				t.Fatal(err)
			}
			p := CheckTree(&root)
			switch {
			case tc.want == "" && p != nil:
				t.Errorf("refused: %s", p.Msg)
			case tc.want != "" && (p == nil || !strings.Contains(p.Msg, tc.want)):
				t.Errorf("got %+v, want a message with %q", p, tc.want)
			case p != nil && p.Line == 0:
				t.Errorf("no position: %+v", p)
			}
		})
	}
}

func TestParseRefusesOversizedInput(t *testing.T) {
	if _, _, d := Parse("swarm.yaml", []byte(header+"x-pad: '"+strings.Repeat("a", MaxSpecBytes)+"'\n")); len(d) != 1 || !strings.Contains(d[0].Msg, "at most 1048576") {
		t.Errorf("a spec over MaxSpecBytes: %v", d)
	}
	long := strings.Repeat("é", MaxStringBytes) // 2 bytes each
	_, _, d := Parse("swarm.yaml", []byte(header+"name: "+long+"\nworkers:\n  - name: w\n    labels:\n      ? "+long+"\n      : x\n"))
	if len(d) != 2 || strings.Contains(d.Error(), "éé") {
		t.Errorf("oversized strings: want two errors that do not echo them, got\n%v", d)
	}
}
