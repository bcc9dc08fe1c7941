// Package templates holds what swarmgen writes: text/template files that
// only read the model (every decision is made in Go before rendering),
// and the bootstrap runtime, plain bash files with no template in them.
//
// A generated bootstrap.sh is bootstrap-header.sh.tmpl rendered (the lab,
// as shell variables and arrays) followed by Runtime, the same bytes for
// every lab.
package templates

import (
	"embed"
	"path"
)

// FS holds every template, and the runtime's files under runtime/.
//
//go:embed *.tmpl runtime/*.sh
var FS embed.FS

// RuntimeFiles are the runtime's files in the order bootstrap.sh holds
// them: the helpers, the providers (provider.sh lists the functions each
// defines), one file a step, and main.sh, which runs.
var RuntimeFiles = []string{
	"begin.sh", "constants.sh", "helpers.sh", "compose.sh",
	"provider.sh", "provider-containers.sh", "provider-machines.sh",
	"preflight.sh", "certificates.sh", "docker-context.sh",
	"swarm-read.sh", "leader.sh", "swarm-init.sh", "remove-nodes.sh", "swarm-join.sh", "join-node.sh", "rollout.sh",
	"push-images.sh", "networks.sh", "deploy.sh", "secrets.sh", "wait-converged.sh", "prune.sh", "summary.sh",
	"main.sh",
}

// RuntimeStart is the runtime's first line: where a bootstrap.sh's header
// ends.
const RuntimeStart = "# --- runtime: the same bytes in every bootstrap.sh (swarmgen's templates/runtime) ---\n"

// Runtime is the runtime: RuntimeFiles, one after the other.
var Runtime = func() []byte {
	var b []byte
	for _, f := range RuntimeFiles {
		data, err := FS.ReadFile(path.Join("runtime", f))
		if err != nil {
			panic(err) // embedded (a test checks every file is listed)
		}
		b = append(b, data...)
	}
	return b
}()
