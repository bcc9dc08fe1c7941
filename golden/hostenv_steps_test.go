package golden

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/endpoint"
)

// dockerVars are the variables that point a docker client somewhere.
var dockerVars = []string{"DOCKER_CONTEXT", "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"}

// goKeeps is what swarmgen's main keeps of env (the Go rule).
func goKeeps(env map[string]string) string {
	kept := map[string]string{}
	for k, v := range env {
		kept[k] = v
	}
	if endpoint.FromLabEnv(env["DOCKER_CERT_PATH"]) {
		for _, v := range endpoint.Unset {
			delete(kept, v)
		}
	}
	if endpoint.IsLabContext(env[endpoint.ContextVar]) {
		delete(kept, endpoint.ContextVar)
	}
	var out []string
	for _, k := range dockerVars {
		if v, ok := kept[k]; ok {
			out = append(out, k+"="+v)
		}
	}
	return strings.Join(out, " ")
}

// One rule for a docker environment that points into a lab (eval
// "$(swarmgen env)"): bootstrap.sh's host_env, for either provider, keeps
// exactly what swarmgen itself keeps, whichever lab the environment is of.
func TestHostEnvIsSwarmgensRule(t *testing.T) {
	lab := "/home/u/lab b/.swarmgen/tls/client"
	table := []map[string]string{
		{},
		{"DOCKER_CONTEXT": "swarmgen-other"},
		{"DOCKER_CONTEXT": "swarmgen"},
		{"DOCKER_CONTEXT": "swarmgen-"},
		{"DOCKER_CONTEXT": "mine"},
		{"DOCKER_CONTEXT": "swarmgenx"},
		{"DOCKER_HOST": "tcp://127.0.0.1:32771", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": lab},
		{"DOCKER_HOST": "tcp://127.0.0.1:32771", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": lab + "/"},
		{"DOCKER_HOST": "tcp://127.0.0.1:32771", "DOCKER_CERT_PATH": "/a//b/./.swarmgen/tls/client//"},
		{"DOCKER_HOST": "tcp://10.0.0.5:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/home/u/.docker/m1"},
		{"DOCKER_HOST": "tcp://10.0.0.5:2376", "DOCKER_CERT_PATH": ".swarmgen/tls/client"},
		{"DOCKER_HOST": "unix:///run/user.sock"},
		{"DOCKER_CONTEXT": "swarmgen-fleet", "DOCKER_HOST": "tcp://127.0.0.1:32771", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": lab},
	}
	// one run per provider: each row in a subshell, its kept variables printed
	var body strings.Builder
	for _, env := range table {
		body.WriteString("(unset " + strings.Join(dockerVars, " ") + "\n")
		for _, k := range slices.Sorted(maps.Keys(env)) {
			fmt.Fprintf(&body, "export %s=%s\n", k, shell.Quote(env[k]))
		}
		body.WriteString("host_env\nkept=\nfor v in " + strings.Join(dockerVars, " ") +
			"; do if [ -n \"${!v+x}\" ]; then kept=\"$kept $v=${!v}\"; fi; done\necho \"kept:${kept# }\")\n")
	}
	for _, lab := range []string{"classic", "machines"} {
		t.Run(lab, func(t *testing.T) {
			out, _, err := runScript(t, t.TempDir(), scriptPart(t, lab, body.String()), nil, "")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var got []string
			for _, line := range strings.Split(out, "\n") {
				if k, ok := strings.CutPrefix(line, "kept:"); ok {
					got = append(got, k)
				}
			}
			if len(got) != len(table) {
				t.Fatalf("%d rows answered, want %d:\n%s", len(got), len(table), out)
			}
			for i, env := range table {
				if want := goKeeps(env); got[i] != want {
					t.Errorf("%v: bootstrap.sh keeps %q, swarmgen keeps %q", env, got[i], want)
				}
			}
		})
	}
}
