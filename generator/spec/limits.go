package spec

import (
	"strconv"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
)

// Limits on what a spec may ask for. Each is defined here once and handed
// to the validation, the JSON Schema and docs/spec.md (Limits), so a hostile
// or broken spec is refused at once instead of exhausting memory or time.
const (
	// MaxSpecBytes is the largest spec file read: a lab of MaxNodes named
	// nodes with labels and stacks fits in a tenth of it.
	MaxSpecBytes = 1 << 20
	// MaxStackFileBytes is the largest stack file a spec may name.
	MaxStackFileBytes = 1 << 20
	// MaxYAMLNodes bounds a document's YAML nodes with every alias
	// expanded, so that a few lines of nested anchors (a "billion laughs")
	// cannot make a tree of millions of nodes.
	MaxYAMLNodes = 100_000
	// MaxStackInputBytes bounds a file a stack names (env_file, a secret's
	// or a config's file:): swarm refuses secrets and configs over 500 KB.
	MaxStackInputBytes = 1 << 20
	// MaxTLSFileBytes bounds each file of a tcp endpoint's tls directory:
	// a PEM certificate chain or key is a few KiB.
	MaxTLSFileBytes = 1 << 20
	// MaxDockerfileBytes is the largest Dockerfile of a build context.
	MaxDockerfileBytes = 1 << 20
	// MaxBuildContextEntries bounds the files and directories of a build
	// context, which validation walks and bootstrap.sh checksums.
	MaxBuildContextEntries = 100_000
	// MaxYAMLDepth bounds how deeply a document's values nest: a compose
	// file needs about ten levels, and compose-go takes 80 s over 10,000.
	MaxYAMLDepth = 64
	// MaxStringBytes bounds every string field (and mapping key) of the spec.
	MaxStringBytes = 4096
	// MaxNodes bounds managers plus workers. 30 nodes take 27 s and about
	// 1.3 GiB on a 2-core host (docs/benchmarks.md) and 100 do not come up
	// there; 1000 still fit the /22 that DefaultSubnet picks for them.
	MaxNodes = 1000
	// MaxPasswordFileBytes is the largest visualizer.auth.password_file.
	MaxPasswordFileBytes = inputfile.MaxPasswordBytes
)

// Limit is one documented limit, for docs/spec.md.
type Limit struct {
	Name, Value, Desc string
}

// Limits lists the limits a spec must keep, for the table in docs/spec.md.
func Limits() []Limit {
	return []Limit{
		{"spec file size", bytesText(MaxSpecBytes), "A larger swarm.yaml is refused before it is parsed."},
		{"stack file size", bytesText(MaxStackFileBytes), "A larger `stacks[].file` is refused before it is read; only regular files are read."},
		{"YAML nodes", strconv.Itoa(MaxYAMLNodes), "Nodes of a spec or stack file with every `*alias` expanded. An anchor used inside itself is refused too."},
		{"YAML nesting", strconv.Itoa(MaxYAMLDepth), "Levels of mappings and lists inside one another in a spec or stack file, with every `*alias` expanded."},
		{"string length", bytesText(MaxStringBytes), "Any string field or mapping key of the spec. Error messages quote at most " + strconv.Itoa(diag.MaxEchoBytes) + " bytes of a value."},
		{"stack input file size", bytesText(MaxStackInputBytes), "`env_file` and the `file:` of `secrets` and `configs` in a stack (docker stack deploy reads them): a regular file inside the spec's directory once its symlinks are followed, and no `$` variable in the path. A stack's `extends:`, `include:` and `label_file:` are refused (docker stack deploy reads none of them)."},
		{"TLS file size", bytesText(MaxTLSFileBytes), "Each of `ca.pem`, `cert.pem`, `key.pem` in a machine's `tls` directory: a regular file inside the spec's directory once its symlinks are followed."},
		{"Dockerfile size", bytesText(MaxDockerfileBytes), "`images[].dockerfile`: a regular file inside the spec's directory once its symlinks are followed."},
		{"build context entries", strconv.Itoa(MaxBuildContextEntries), "Files and directories of an `images[].build` context. Each must be a regular file, a directory, or a symlink to one of them inside the context; a FIFO, a device or a socket is refused."},
		{"password file size", bytesText(MaxPasswordFileBytes), "`visualizer.auth.password_file`: one line; only a regular file is read."},
		{"nodes", strconv.Itoa(MaxNodes), "Managers plus workers. What one host can run is far less (see Benchmarks); the limit keeps a typo such as `workers: 1000000` from exhausting memory."},
	}
}

func bytesText(n int) string {
	if n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + " MiB"
	}
	if n%(1<<10) == 0 {
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}
