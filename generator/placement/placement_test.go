package placement

import (
	"reflect"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // so that `go test ./... -update` is accepted here

func TestParse(t *testing.T) {
	for expr, want := range map[string]Constraint{
		"node.role == worker":             {"node.role", true, "worker"},
		"node.role!=manager":              {"node.role", false, "manager"},
		"  node.labels.zone  ==  a  ":     {"node.labels.zone", true, "a"},
		"node.labels.com.example.disk==1": {"node.labels.com.example.disk", true, "1"},
		"engine.labels.os == linux":       {"engine.labels.os", true, "linux"},
		"node.hostname != worker01":       {"node.hostname", false, "worker01"},
		"node.platform.arch == x86_64":    {"node.platform.arch", true, "x86_64"},
		"node.id == 2ivku8v2gvtg4":        {"node.id", true, "2ivku8v2gvtg4"},
	} {
		got, err := Parse(expr)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", expr, got, err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"node.role = worker":        "is not a placement constraint: write KEY == VALUE",
		"node.labels.zone":          "is not a placement constraint",
		"":                          "is not a placement constraint",
		"node.role == worker extra": "is not a placement constraint",
		"node.rol == worker":        `unknown constraint key "node.rol"`,
		"node.labels. == a":         `unknown constraint key "node.labels."`,
		"labels.zone == a":          `unknown constraint key "labels.zone"`,
		"node.role == leader":       `node.role is manager or worker, not "leader"`,
		"node.role == $(id)":        `node.role is manager or worker`,
		"node.hostname == a;b c":    "is not a placement constraint",
	} {
		_, err := Parse(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v; want an error with %q", expr, err, want)
		}
	}
}

var nodes = []Node{
	{Name: "manager", Role: "manager", Labels: map[string]string{"zone": "a"}},
	{Name: "worker01", Role: "worker", Labels: map[string]string{"zone": "a", "disk": "ssd"}},
	{Name: "worker02", Role: "worker", Labels: map[string]string{"zone": "b"}},
	{Name: "worker03", Role: "worker"},
}

func eligible(t *testing.T, exprs ...string) []string {
	t.Helper()
	var cs []Constraint
	for _, e := range exprs {
		c, err := Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	var names []string
	for _, n := range Eligible(nodes, cs) {
		names = append(names, n.Name)
	}
	return names
}

func TestEligible(t *testing.T) {
	tests := []struct {
		exprs []string
		want  []string
	}{
		{nil, []string{"manager", "worker01", "worker02", "worker03"}},
		{[]string{"node.role == worker"}, []string{"worker01", "worker02", "worker03"}},
		{[]string{"node.role != worker"}, []string{"manager"}},
		{[]string{"node.labels.zone == a"}, []string{"manager", "worker01"}},
		// a node without the label never equals and always differs
		{[]string{"node.labels.zone != a"}, []string{"worker02", "worker03"}},
		{[]string{"node.role == worker", "node.labels.zone == a"}, []string{"worker01"}},
		{[]string{"node.labels.disk == ssd", "node.labels.zone == b"}, nil},
		{[]string{"node.hostname == worker02"}, []string{"worker02"}},
		{[]string{"node.hostname != worker02", "node.role == worker"}, []string{"worker01", "worker03"}},
		// what the lab cannot know is assumed to match
		{[]string{"node.platform.os == linux", "engine.labels.x == y", "node.id == abc"}, []string{"manager", "worker01", "worker02", "worker03"}},
	}
	for _, tt := range tests {
		if got := eligible(t, tt.exprs...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: eligible %v, want %v", tt.exprs, got, tt.want)
		}
	}
}
