package main

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/plan"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// list --json has the fields its --help documents.
func TestListJSON(t *testing.T) {
	stubdocker.New(t, `case "$*" in
    "ps -a --filter label=dev.swarmgen.lab "*)
      printf 'classic\tregistry\trunning\t/labs/classic\n'
      printf 'classic\tmanager\trunning\t/labs/classic\n'
      printf 'classic\tworker\texited\t/labs/classic\n'
      printf 'big\tmanager\texited\t/labs/big\n' ;;
    "context ls "*) echo 'swarmgen-fleet|tcp://192.0.2.11:2376 swarmgen lab of machines lab=fleet leader=m1 files=/labs/fleet' ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`).Use(t)
	code, out, stderr := swarmgen(t, "list", "--json")
	if code != 0 {
		t.Fatalf("list --json: exit %d %s", code, stderr)
	}
	var labs []map[string]any
	if err := json.Unmarshal([]byte(out), &labs); err != nil {
		t.Fatalf("list --json is not a JSON list: %v\n%s", err, out)
	}
	want := []map[string]any{
		{"name": "big", "kind": "containers", "nodes": 1.0, "running": 0.0, "state": "stopped", "dir": "/labs/big", "endpoint": ""},
		{"name": "classic", "kind": "containers", "nodes": 2.0, "running": 1.0, "state": "degraded", "dir": "/labs/classic", "endpoint": ""},
		{"name": "fleet", "kind": "machines", "nodes": 0.0, "running": 0.0, "state": "unknown", "dir": "/labs/fleet", "endpoint": "tcp://192.0.2.11:2376"},
	}
	if len(labs) != len(want) {
		t.Fatalf("got %v, want %v", labs, want)
	}
	for i := range want {
		for k, v := range want[i] {
			if labs[i][k] != v {
				t.Errorf("lab %d: %s = %v, want %v", i, k, labs[i][k], v)
			}
		}
	}
}

// plan --json of a lab that is not running: everything to add, with the
// fields its --help documents.
func TestPlanJSON(t *testing.T) {
	// an engine without the lab, and no registry
	stubdocker.New(t, `case "$CMD $*" in
    "docker info" | "docker ps "*) ;;
    *) echo "Error response from daemon: No such container" >&2; exit 1 ;;
  esac`, "curl").Use(t)
	dir := t.TempDir()
	code, out, stderr := swarmgen(t, "-f", classicSpec, "-o", dir, "plan", "--json")
	if code != 0 {
		t.Fatalf("plan --json: exit %d %s", code, stderr)
	}
	var plan struct {
		Actions []struct{ Op, Kind, Name, Detail string }
		Refused []string
		Add     int
		Change  int
		Remove  int
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan --json does not parse: %v\n%s", err, out)
	}
	kinds := map[string]int{}
	for _, a := range plan.Actions {
		if a.Op != "add" || a.Name == "" {
			t.Errorf("action %+v: want op add and a name", a)
		}
		kinds[a.Kind]++
	}
	if kinds["node"] != 4 || kinds["stack"] != 2 || kinds["service"] != 1 || plan.Add != len(plan.Actions) || plan.Change+plan.Remove != 0 || plan.Refused == nil {
		t.Errorf("plan of the classic lab not running: kinds %v, add %d change %d remove %d refused %v\n%s", kinds, plan.Add, plan.Change, plan.Remove, plan.Refused, out)
	}
	if strings.Contains(out, "\033") {
		t.Errorf("JSON with escape codes")
	}
}

// docs/json.md shows each JSON shape with exactly the keys swarmgen
// prints, at every level.
func TestJSONShapesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples []any
	for _, block := range strings.Split(string(doc), "```json\n")[1:] {
		var v any
		if err := json.Unmarshal([]byte(strings.SplitN(block, "```", 2)[0]), &v); err != nil {
			t.Fatalf("docs/json.md: an example does not parse: %v", err)
		}
		examples = append(examples, v)
	}
	st := &lab.Status{Version: lab.StatusVersion, Nodes: []lab.NodeStatus{{Labels: map[string]string{}}},
		Services: []lab.ServiceStatus{{Tasks: []lab.TaskStatus{{}}}}}
	p := plan.Plan{Actions: []plan.Action{{Op: '+', Kind: "node", Name: "x", Detail: "y"}}}
	printed := []any{[]lab.LabInfo{{}}, p, st}
	if len(examples) != len(printed) {
		t.Fatalf("docs/json.md has %d examples, want %d (list, plan, status)", len(examples), len(printed))
	}
	for i, v := range printed {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var got any
		json.Unmarshal(b, &got)
		if g, w := keyPaths("", got), keyPaths("", examples[i]); strings.Join(g, " ") != strings.Join(w, " ") {
			t.Errorf("example %d: swarmgen prints keys\n %v\ndocs/json.md shows\n %v", i+1, g, w)
		}
	}
}

// keyPaths are the object keys of v, as paths, sorted; labels' keys are
// the user's and not listed.
func keyPaths(prefix string, v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			out = append(out, prefix+"."+k)
			if k != "labels" {
				out = append(out, keyPaths(prefix+"."+k, x)...)
			}
		}
	case []any:
		if len(v) > 0 {
			out = append(out, keyPaths(prefix+"[]", v[0])...)
		}
	}
	sort.Strings(out)
	return out
}
