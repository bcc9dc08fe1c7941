package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// swarmgen env of a lab of machines names the docker context up points
// at the leader, and only once up made it; --unset undoes what each kind
// of lab sets.
func TestEnvOfMachineLab(t *testing.T) {
	stubdocker.New(t, `case "$*" in
  "context inspect swarmgen-fleet") [ ! -e "$STUB_DIR/missing" ] || exit 1 ;;
esac`).Use(t)
	machines := filepath.Join("..", "..", "golden", "machines")
	args := []string{"-f", filepath.Join(machines, "swarm.yaml"), "-o", filepath.Join(machines, "out")}

	if code, out, errs := swarmgen(t, append([]string{"env"}, args...)...); code != 0 || !strings.HasPrefix(out, "export DOCKER_CONTEXT='swarmgen-fleet'\n") {
		t.Errorf("env: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := swarmgen(t, append([]string{"env", "--unset"}, args...)...); code != 0 || out != "unset DOCKER_CONTEXT\n" {
		t.Errorf("env --unset: exit %d %q %s", code, out, errs)
	}
	if err := os.WriteFile(filepath.Join(os.Getenv("STUB_DIR"), "missing"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := swarmgen(t, append([]string{"env"}, args...)...); code == 0 || !strings.Contains(errs, "run swarmgen up") {
		t.Errorf("env without the context: exit %d\n%s%s", code, out, errs)
	}

	classic := filepath.Join("..", "..", "examples", "classic")
	code, out, errs := swarmgen(t, "env", "--unset", "-f", filepath.Join(classic, "swarm.yaml"), "-o", classic)
	if code != 0 || out != "unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n" {
		t.Errorf("env --unset of a lab of containers: exit %d %q %s", code, out, errs)
	}
}
