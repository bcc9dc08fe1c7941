package spec

import (
	"fmt"
	"strconv"
	"unicode"

	"gopkg.in/yaml.v3"
)

// TextProblem is a key or value holding a character that does not print:
// written raw to a terminal (by plan, status, an error) it would move the
// cursor, redraw a line or reorder what is shown, so that a spec could
// show its reader something it does not hold.
type TextProblem struct {
	Line, Col int
	Path      string // field path, as far as it is known
	Msg       string
}

// CheckText looks at every key and value of a parsed document (aliases
// are checked where their anchor is) for control characters (C0 but tab
// and newline in values, DEL, C1), U+2028, U+2029 and bidirectional-text
// controls. It reports at most max problems.
func CheckText(root *yaml.Node, max int) []TextProblem {
	t := textWalk{max: max, seen: map[*yaml.Node]bool{}}
	t.walk(root, "")
	return t.problems
}

type textWalk struct {
	max      int
	seen     map[*yaml.Node]bool
	problems []TextProblem
}

func (t *textWalk) walk(n *yaml.Node, path string) {
	if n == nil || n.Kind == yaml.AliasNode || t.seen[n] || len(t.problems) >= t.max {
		return
	}
	t.seen[n] = true
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			t.walk(c, path)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			t.walk(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			t.check(k, p, true)
			t.walk(n.Content[i+1], p)
		}
	case yaml.ScalarNode:
		t.check(n, path, false)
	}
}

func (t *textWalk) check(n *yaml.Node, path string, key bool) {
	if n.Kind != yaml.ScalarNode || len(t.problems) >= t.max {
		return
	}
	for _, r := range n.Value {
		if what := unprintable(r, key); what != "" {
			t.problems = append(t.problems, TextProblem{n.Line, n.Column, path, fmt.Sprintf("holds %s (%s), which a terminal would act on rather than show; remove it (a spec's keys and values are text: tabs and line breaks only in values)", what, RuneName(r))})
			return
		}
	}
}

// UnprintableRune returns the first character of s that a key could not
// hold (any control character, a line separator, a bidi control).
func UnprintableRune(s string) (rune, bool) {
	for _, r := range s {
		if unprintable(r, true) != "" {
			return r, true
		}
	}
	return 0, false
}

// unprintable names what r is when a spec may not hold it, or "".
func unprintable(r rune, key bool) string {
	switch {
	case (r == '\t' || r == '\n') && !key:
		return ""
	case r < 0x20 || r == 0x7f:
		return "a control character"
	case r >= 0x80 && r <= 0x9f:
		return "a C1 control character"
	case r == 0x2028 || r == 0x2029:
		return "a line or paragraph separator"
	case unicode.Is(unicode.Bidi_Control, r):
		return "a bidirectional-text control"
	}
	return ""
}

// RuneName is how a message names a character: \x0a, U+2028.
func RuneName(r rune) string {
	if r < 0x80 {
		return `\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:]
	}
	return fmt.Sprintf("U+%04X", r)
}
