// Package diag holds the one error type swarmgen reports: a message tied to a
// file position and a field path, so every problem says where and what to do.
package diag

import (
	"fmt"
	"sort"
	"strings"
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

func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
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
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Msg)
	return b.String()
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
