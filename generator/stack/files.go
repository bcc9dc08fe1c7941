package stack

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/generator/spec"
)

// fileRefs checks every file a stack names, before compose-go or docker
// stack deploy could read one. extends:, include: and label_file: make
// compose-go read other files itself, and docker stack deploy's version 3
// format has none of them: they are refused, and the loader is told to
// skip them too (Validate). env_file: and the file: of secrets and configs
// are read by docker stack deploy, on the host for a lab of machines: they
// follow the rule of every file a spec reaches (inputfile.Policy.Check).
// baseDir is where relative paths start: the stack file's directory, or
// the spec's for an inline stack.
func fileRefs(root *yaml.Node, src source, specDir, baseDir string, files inputfile.Policy) diag.List {
	var diags diag.List
	if k := getKey(root, "include"); k != nil {
		diags.Add(src.at(k, "include", diag.Error, "docker stack deploy does not read include:, and swarmgen does not follow it; write the services into this stack, or make each file a stack of its own under stacks:"))
	}
	names, services := mapEntries(get(root, "services"))
	for i, svc := range services {
		path := "services." + names[i]
		for _, field := range []struct{ key, msg string }{
			{"extends", "docker stack deploy does not read extends:, and swarmgen does not follow it; write the service out in full (a YAML anchor, &name and <<: *name, shares settings within one file)"},
			{"label_file", "docker stack deploy does not read label_file:, and swarmgen does not follow it; write the labels under labels:"},
		} {
			if k := getKey(svc, field.key); k != nil {
				diags.Add(src.at(k, path+"."+field.key, diag.Error, "%s", field.msg))
			}
		}
		env := get(svc, "env_file")
		switch {
		case env == nil:
		case env.Kind == yaml.ScalarNode:
			diags.Extend(fileRef(env, path+".env_file", src, specDir, baseDir, files))
		case env.Kind == yaml.SequenceNode:
			for j, e := range env.Content {
				e = resolve(e)
				p := fmt.Sprintf("%s.env_file[%d]", path, j)
				if e.Kind == yaml.MappingNode {
					e, p = get(e, "path"), p+".path"
				}
				if e != nil && e.Kind == yaml.ScalarNode {
					diags.Extend(fileRef(e, p, src, specDir, baseDir, files))
				}
			}
		}
	}
	for _, kind := range []string{"secrets", "configs"} {
		keys, objs := mapEntries(get(root, kind))
		for i, obj := range objs {
			if f := get(obj, "file"); f != nil && f.Kind == yaml.ScalarNode {
				diags.Extend(fileRef(f, kind+"."+keys[i]+".file", src, specDir, baseDir, files))
			}
		}
	}
	return diags
}

// fileRef checks one path a stack names. Errors name the field and the
// path, never what the file holds.
func fileRef(n *yaml.Node, path string, src source, specDir, baseDir string, files inputfile.Policy) diag.List {
	name := n.Value
	fail := func(format string, args ...any) diag.List {
		return diag.List{src.at(n, path, diag.Error, format, args...)}
	}
	if strings.Contains(name, "$") {
		// docker stack deploy interpolates it from the environment of
		// whoever deploys: ${HOME}/.ssh/id_rsa is no path swarmgen can check
		return fail("%s: a file path in a stack may not use $ variables, which docker stack deploy fills in from its own environment; write the path out", diag.Quote(name))
	}
	_, err := files.Check(specDir, baseDir, name, spec.MaxStackInputBytes)
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist):
		// docker stack deploy reports a missing file; it may be made later
		return nil
	case errors.Is(err, inputfile.ErrOutside):
		return fail("%s is outside the spec's directory, which a spec may not read from (docker stack deploy would read it and send it to the swarm); move it beside the spec, or run swarmgen with --%s if you trust this spec", diag.Quote(name), inputfile.AllowOutsideFlag)
	default:
		return fail("%s %s", diag.Quote(name), inputfile.Reason(err))
	}
}
