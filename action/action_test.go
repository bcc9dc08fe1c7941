// Package action checks that the GitHub action's definition (action.yml at
// the repository root) and its one script (run.sh, which e2e/action_test.go
// runs against a real engine) agree: every input reaches the script, every
// output is one the script writes, and the logs are uploaded from where the
// script puts them.
package action

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type step struct {
	ID   string
	If   string
	Uses string
	Run  string
	Env  map[string]string
	With map[string]string
}

type definition struct {
	Inputs  map[string]struct{ Default string }
	Outputs map[string]struct{ Value string }
	Runs    struct {
		Using string
		Steps []step
	}
}

func load(t *testing.T) (definition, string) {
	t.Helper()
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var def definition
	if err := yaml.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("run.sh")
	if err != nil {
		t.Fatal(err)
	}
	return def, string(script)
}

func TestDefinitionMatchesTheScript(t *testing.T) {
	def, script := load(t)
	if def.Runs.Using != "composite" {
		t.Fatalf("runs.using %q: action.yml's steps (upload-artifact) need a composite action", def.Runs.Using)
	}
	var run, upload *step
	for i, s := range def.Runs.Steps {
		switch {
		case s.ID == "run":
			run = &def.Runs.Steps[i]
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			upload = &def.Runs.Steps[i]
		}
	}
	if run == nil || upload == nil {
		t.Fatalf("want a step with id run and an actions/upload-artifact step: %+v", def.Runs.Steps)
	}
	if !strings.Contains(run.Run, `"$GITHUB_ACTION_PATH/action/run.sh"`) {
		t.Errorf("the run step does not run action/run.sh: %q", run.Run)
	}
	for name := range def.Inputs {
		env := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		given := run.Env[env] == "${{ inputs."+name+" }}"
		if given && !strings.Contains(script, env) {
			t.Errorf("input %s is passed as %s, which run.sh never reads", name, env)
		}
		if !given && !strings.Contains(upload.With["name"]+upload.If, "inputs."+name) {
			t.Errorf("input %s is used nowhere", name)
		}
	}
	for name, out := range def.Outputs {
		if out.Value != "${{ steps.run.outputs."+name+" }}" {
			t.Errorf("output %s = %q, want the run step's output", name, out.Value)
		}
		if !strings.Contains(script, `emit "${GITHUB_OUTPUT:-}" `+name+" ") {
			t.Errorf("output %s: run.sh never writes it", name)
		}
	}
	// run.sh puts the bundle in $RUNNER_TEMP/swarmgen-logs/ (e2e checks it)
	if upload.With["path"] != "${{ runner.temp }}/swarmgen-logs/" || !strings.Contains(script, "LOGS_DIR=$TEMP/swarmgen-logs\n") {
		t.Errorf("upload path %q; want ${{ runner.temp }}/swarmgen-logs/, where run.sh writes", upload.With["path"])
	}
	if !strings.HasPrefix(upload.If, "failure()") {
		t.Errorf("the upload runs if %q, want only after a failure", upload.If)
	}
}

func TestScriptIsShellcheckClean(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		msg := "shellcheck is not installed; action/run.sh is not checked"
		if os.Getenv("SWARMGEN_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg + " (required with SWARMGEN_REQUIRE_TOOLS=1)")
		}
		fmt.Fprintf(os.Stderr, "\n!!! SKIPPED: %s\n\n", msg)
		t.Skip("SKIPPED: " + msg)
	}
	if out, err := exec.Command("shellcheck", "run.sh").CombinedOutput(); err != nil {
		t.Errorf("shellcheck run.sh: %v\n%s", err, out)
	}
}
