package spec

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestCheckText(t *testing.T) {
	for doc, want := range map[string]string{
		"a: \"x\\ty\\nz\"\n":        "",
		"a: |\n  two\n  lines\n":    "",
		"a: \"caf\u00e9 \u4e16\"\n": "",
		"\"k\\tk\": 1\n":            "k\tk: holds a control character (\\x09)",
		"a: \"\\r\"\n":              "a: holds a control character (\\x0d)",
		"a: \"\\x7f\"\n":            "a: holds a control character (\\x7f)",
		"a: [\"\\x85\"]\n":          "a[0]: holds a C1 control character (U+0085)",
		"a: {b: \"\\u2029\"}\n":     "a.b: holds a line or paragraph separator (U+2029)",
		"a: \"\\u2067\"\n":          "a: holds a bidirectional-text control (U+2067)",
		"a: \"\\u200f\"\n":          "a: holds a bidirectional-text control (U+200F)",
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
			t.Fatal(err)
		}
		ps := CheckText(&n, 5)
		switch {
		case want == "" && len(ps) > 0:
			t.Errorf("%q: want nothing, got %+v", doc, ps)
		case want != "" && (len(ps) != 1 || !strings.HasPrefix(ps[0].Path+": "+ps[0].Msg, want)):
			t.Errorf("%q: got %+v, want %q", doc, ps, want)
		}
	}
}
