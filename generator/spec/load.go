package spec

import (
	"reflect"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
)

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes a spec strictly. file is the name used in diagnostics.
// The spec is returned even with errors, so validation can add its own and
// the user sees every problem at once; it is not defaulted yet.
func Parse(file string, data []byte) (*Spec, Positions, diag.List) {
	d := &decoder{file: file, pos: Positions{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		dg := diag.Diagnostic{File: file, Msg: "not valid YAML: " + err.Error()}
		if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
			dg.Line, _ = strconv.Atoi(m[1])
			dg.Msg = "not valid YAML: " + m[2]
		}
		return nil, d.pos, diag.List{dg}
	}
	s := &Spec{}
	if root.Kind == 0 || len(root.Content) == 0 {
		d.diags.Add(diag.Diagnostic{File: file, Line: 1, Col: 1, Msg: "the spec is empty; run `swarmgen init` for a starter swarm.yaml"})
		return s, d.pos, d.diags
	}
	if len(root.Content) > 1 {
		d.errorf(root.Content[1], "", "a spec holds one document; remove the extra `---` documents")
	}
	d.decode(root.Content[0], reflect.ValueOf(s).Elem(), "")
	return s, d.pos, d.diags
}
