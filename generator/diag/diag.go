// Package diag holds the one error type swarmgen reports: a message tied to a
// file position and a field path, so every problem says where and what to do.
package diag

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Severity tells whether a diagnostic stops generation.
type Severity int

const (
	// Error stops generation: nothing is written.
	Error Severity = iota
	// Warning is printed but generation goes on.
	Warning
)

// Diagnostic is one problem found in a spec or in a file it references.
type Diagnostic struct {
	Severity Severity
	File     string // as the user named it
	Line     int    // 1-based; 0 when unknown
	Col      int    // 1-based; 0 when unknown
	Path     string // field path, e.g. workers[1].name
	Msg      string // what is wrong and what to do
}

// String is the diagnostic as printed, on one line: every character that
// does not print (a terminal escape, a line or paragraph separator) is
// written as an escape, so no file name, key or value can move the cursor,
// rewrite what is shown or start a line of its own.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(Printable(d.File))
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d", d.Line)
			if d.Col > 0 {
				fmt.Fprintf(&b, ":%d", d.Col)
			}
		}
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	if d.Path != "" {
		b.WriteString(Printable(d.Path))
		b.WriteString(": ")
	}
	b.WriteString(Printable(d.Msg))
	return b.String()
}

// MaxEchoBytes is how much of a value a message quotes.
const MaxEchoBytes = 64

// Quote quotes a value for a message like %q, but only its first
// MaxEchoBytes bytes: a 50 MB string (or the content of a file) is never
// echoed whole.
func Quote(s string) string {
	prefix, cut := echoPrefix(s)
	if !cut {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(prefix), len(s))
}

// Short is s, or its first MaxEchoBytes bytes and "..." when longer.
func Short(s string) string {
	if prefix, cut := echoPrefix(s); cut {
		return prefix + "..."
	}
	return s
}

func echoPrefix(s string) (string, bool) {
	if len(s) <= MaxEchoBytes {
		return s, false
	}
	cut := MaxEchoBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// Printable escapes every character of s that does not print (control
// characters, U+2028, U+2029, U+0085, invalid UTF-8...) as \xNN or \uNNNN.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if !printable(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		_, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1: // not UTF-8
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case printable(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func printable(r rune) bool {
	return r != utf8.RuneError && (r == ' ' || unicode.IsPrint(r))
}

// List collects diagnostics so that all of them are reported at once.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(d Diagnostic) { *l = append(*l, d) }

// Extend appends every diagnostic of other.
func (l *List) Extend(other List) { *l = append(*l, other...) }

// HasErrors reports whether any diagnostic is an error (not a warning).
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (l List) Errors() List { return l.filter(Error) }

// Warnings returns only the warnings.
func (l List) Warnings() List { return l.filter(Warning) }

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sorted orders diagnostics by file, line, column, then path, so output is
// stable whatever order the checks ran in.
func (l List) Sorted() List {
	out := append(List(nil), l...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
	return out
}

// Error makes a List usable as an error: one diagnostic per line.
func (l List) Error() string {
	lines := make([]string, 0, len(l))
	for _, d := range l.Sorted() {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

// Err returns l as an error when it holds errors, else nil.
func (l List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

// Touches reports whether a diagnostic of file concerns path or a field
// inside it.
func (l List) Touches(file, path string) bool {
	for _, d := range l {
		if d.File == file && (d.Path == path || strings.HasPrefix(d.Path, path+".") || strings.HasPrefix(d.Path, path+"[")) {
			return true
		}
	}
	return false
}
