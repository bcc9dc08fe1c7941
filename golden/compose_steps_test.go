package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// One rule chooses the compose command, in bootstrap.sh (its compose
// function) and in teardown.sh: the v2 plugin, else docker-compose v1,
// else the same error. Both run with the same stub docker.
func TestComposeChoiceIsOneRule(t *testing.T) {
	teardown, err := os.ReadFile(filepath.Join("classic", "out", "teardown.sh"))
	if err != nil {
		t.Fatal(err)
	}
	const v2 = `case "$CMD $*" in
  "docker compose version") echo "Docker Compose version v2.40.3" ;;
  "docker compose -f docker-compose.yml "*) ;;
  "docker context inspect "*) exit 1 ;;
  *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
esac`
	const v1 = `case "$CMD $*" in
  "docker compose version") echo "docker: 'compose' is not a docker command." >&2; exit 1 ;;
  "docker-compose -f docker-compose.yml "*) ;;
  "docker context inspect "*) exit 1 ;;
  *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
esac`
	// a plugin in DOCKER_CONFIG's cli-plugins: docker compose, not asked
	// (the stub would say there is none)
	const found = `case "$CMD $*" in
  "docker compose -f docker-compose.yml "*) ;;
  "docker context inspect "*) exit 1 ;;
  *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
esac`
	const plugin = `mkdir -p "$DOCKER_CONFIG/cli-plugins" && printf '#!/bin/sh\n' >"$DOCKER_CONFIG/cli-plugins/docker-compose" && chmod +x "$DOCKER_CONFIG/cli-plugins/docker-compose"` + "\n"
	for _, tc := range []struct {
		name, scenario string
		also           []string
		want           string // in the calls, or the output when fails
		fails          bool
		before         string // the script's first lines
	}{
		{"v2 plugin", v2, nil, "compose -f docker-compose.yml down --remove-orphans", false, ""},
		{"v2 plugin in a plugin directory", found, nil, "compose -f docker-compose.yml down --remove-orphans", false, plugin},
		{"only docker-compose", v1, []string{"docker-compose"}, "docker-compose -f docker-compose.yml down --remove-orphans", false, ""},
		{"neither", v1, nil, "neither 'docker compose' (v2) nor 'docker-compose' is installed", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := exec.LookPath("docker-compose"); err == nil && tc.also == nil && tc.fails {
				t.Skip("this host has docker-compose on PATH: the case without it cannot be made")
			}
			for _, dir := range []string{"/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"} {
				if _, err := os.Stat(filepath.Join(dir, "docker-compose")); err == nil && tc.before == "" && tc.scenario == v1 {
					t.Skipf("this host has the Compose plugin in %s: the case without it cannot be made", dir)
				}
			}
			for script, text := range map[string]string{
				"bootstrap.sh": scriptPart(t, "classic", tc.before+"compose down --remove-orphans"),
				"teardown.sh":  strings.Replace(string(teardown), "\n", "\n"+tc.before, 1),
			} {
				out, calls, err := runScript(t, t.TempDir(), text, nil, tc.scenario, tc.also...)
				if tc.before != "" && strings.Contains(calls, "compose version") {
					t.Errorf("%s: asked docker compose version with the plugin in a plugin directory:\n%s", script, calls)
				}
				if tc.fails {
					if err == nil || !strings.Contains(out, tc.want) {
						t.Errorf("%s: %v, want a failure saying %q:\n%s\ncalls:\n%s", script, err, tc.want, out, calls)
					}
					continue
				}
				if err != nil || !strings.Contains(calls, tc.want) {
					t.Errorf("%s: %v, want a call %q:\n%s\ncalls:\n%s", script, err, tc.want, out, calls)
				}
			}
		})
	}
}
