package spec

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
)

// maxTextProblems is how many unprintable values one run reports: a
// pasted binary would otherwise give thousands of lines.
const maxTextProblems = 20

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes a spec strictly. file is the name used in diagnostics.
// The spec is returned even with errors, so validation can add its own and
// the user sees every problem at once; it is not defaulted yet.
func Parse(file string, data []byte) (*Spec, Positions, diag.List) {
	d := &decoder{file: file, pos: Positions{}}
	if len(data) > MaxSpecBytes {
		return nil, d.pos, diag.List{{File: file, Msg: fmt.Sprintf("the spec is %d bytes; a spec holds at most %d (%s): split its stacks into stack files", len(data), MaxSpecBytes, bytesText(MaxSpecBytes))}}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&root)
	if err == io.EOF {
		err = nil // no document at all: reported as empty below
	}
	var extra yaml.Node
	if err == nil {
		// yaml.Unmarshal would silently drop every document after the first
		if err2 := dec.Decode(&extra); err2 != nil && err2 != io.EOF {
			err = err2
		}
	}
	if err != nil {
		line, col, msg := YAMLError(err, data)
		return nil, d.pos, diag.List{{File: file, Line: line, Col: col, Msg: msg}}
	}
	if p := CheckTree(&root); p != nil {
		return nil, d.pos, diag.List{{File: file, Line: p.Line, Col: p.Col, Msg: p.Msg}}
	}
	if ps := CheckText(&root, maxTextProblems); len(ps) > 0 {
		var l diag.List
		for _, p := range ps {
			l.Add(diag.Diagnostic{File: file, Line: p.Line, Col: p.Col, Path: p.Path, Msg: p.Msg})
		}
		return nil, d.pos, l
	}
	s := &Spec{}
	if root.Kind == 0 || len(root.Content) == 0 {
		d.diags.Add(diag.Diagnostic{File: file, Line: 1, Col: 1, Msg: "the spec is empty; run `swarmgen init` for a starter swarm.yaml"})
		return s, d.pos, d.diags
	}
	if len(extra.Content) > 0 && !isNull(extra.Content[0]) { // a trailing `---` alone is fine
		line := extra.Content[0].Line
		d.diags.Add(diag.Diagnostic{File: file, Line: line, Col: 1, Msg: "a spec holds one document; remove the `---` and what follows it, or merge it into the first document"})
	}
	d.decode(root.Content[0], reflect.ValueOf(s).Elem(), "")
	return s, d.pos, d.diags
}

// parserProblems are the errors of YAML's parser (not its scanner), which
// gopkg.in/yaml.v3 reports with a 0-based line: that of the block or
// flow collection the problem was found in.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// YAMLError turns a gopkg.in/yaml.v3 syntax error in data into a 1-based
// line and column (0 when unknown) and a message saying what to check.
// yaml.v3 gives no column: it is that of the opening bracket of a flow
// list or mapping, else of the line's first character.
func YAMLError(err error, data []byte) (line, col int, msg string) {
	text := err.Error()
	m := yamlErrLine.FindStringSubmatch(text)
	if m == nil {
		return 0, 0, "not valid YAML: " + strings.TrimPrefix(text, "yaml: ")
	}
	line, _ = strconv.Atoi(m[1])
	msg = "not valid YAML: " + m[2]
	if parserProblems[m[2]] {
		line++
		msg += " in the block or list that starts on this line; check the indentation and brackets of the lines below it"
	}
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return line, 0, msg
	}
	text = lines[line-1]
	col = len(text) - len(strings.TrimLeft(text, " \t")) + 1
	switch {
	case strings.Contains(m[2], "']'") && strings.Contains(text, "["):
		col = strings.LastIndex(text, "[") + 1
	case strings.Contains(m[2], "'}'") && strings.Contains(text, "{"):
		col = strings.LastIndex(text, "{") + 1
	}
	return line, col, msg
}
