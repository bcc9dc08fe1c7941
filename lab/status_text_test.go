package lab

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// A lab of 40 workers: a global service on each, a replicated one packed
// on two nodes, one with a name too long for the table.
func bigStatus() *Status {
	st := &Status{}
	global := ServiceStatus{Name: "echo_nginx", Mode: "global", Running: 40, Desired: 40}
	for i := 1; i <= 40; i++ {
		node := fmt.Sprintf("worker%02d", i)
		st.Nodes = append(st.Nodes, NodeStatus{Name: node, Role: "worker", State: "ready", Availability: "active"})
		global.Tasks = append(global.Tasks, TaskStatus{Name: fmt.Sprintf("echo_nginx.n8lty3ui3s0dlr2wf0gj%04d", i), Node: node, State: "Running 2 minutes ago"})
	}
	api := ServiceStatus{Name: "echo_api", Mode: "replicated", Running: 3, Desired: 3, Tasks: []TaskStatus{
		{Name: "echo_api.1", Node: "worker02", State: "Running"},
		{Name: "echo_api.2", Node: "worker01", State: "Running"},
		{Name: "echo_api.3", Node: "worker02", State: "Running"},
	}}
	long := ServiceStatus{Name: strings.Repeat("a_very_long_stack_", 4) + "web", Mode: "replicated", Desired: 1,
		Tasks: []TaskStatus{{Name: "x.1", Node: "", State: "Pending"}}}
	st.Services = []ServiceStatus{api, global, long}
	return st
}

func TestStatusKeepsEachServiceToOneLine(t *testing.T) {
	var buf bytes.Buffer
	bigStatus().Print(&buf, false)
	out := buf.String()
	services := out[strings.Index(out, "SERVICE"):]
	lines := strings.Split(strings.TrimRight(services, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and one line per service, got:\n%s", services)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > StatusWidth {
			t.Errorf("%d columns, more than %d: %q", n, StatusWidth, l)
		}
	}
	for i, want := range []string{
		"replicated  3/3              worker01 worker02×2",
		"global      40/40            worker01 worker02 ",
		"(unassigned)",
	} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("line %d = %q, want it to contain %q", i+1, lines[i+1], want)
		}
	}
	if !strings.HasSuffix(lines[2], " nodes") || !strings.Contains(lines[2], " +") {
		t.Errorf("the nodes that do not fit are not counted: %q", lines[2])
	}
	if strings.Contains(out, "n8lty3ui3s0dlr2wf0gj") {
		t.Errorf("compact status shows task IDs:\n%s", out)
	}
}

func TestStatusWideListsEveryTask(t *testing.T) {
	var buf bytes.Buffer
	bigStatus().Print(&buf, true)
	out := buf.String()
	for i := 1; i <= 40; i++ {
		if want := fmt.Sprintf("echo_nginx.n8lty3ui3s0dlr2wf0gj%04d  worker%02d", i, i); !strings.Contains(out, want) {
			t.Fatalf("wide status lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, strings.Repeat("a_very_long_stack_", 4)+"web") {
		t.Errorf("wide status cuts a service name")
	}
}

func TestNodeCountsFitTheRoom(t *testing.T) {
	tasks := []TaskStatus{{Node: "worker02"}, {Node: "worker01"}, {Node: "worker02"}, {Node: "worker03"}}
	for room, want := range map[int]string{
		28: "worker01 worker02×2 worker03",
		27: "worker01 worker02×2 +1 node",
		26: "worker01 +2 nodes",
		16: "+3 nodes",
		5:  "3 nodes",
	} {
		if got := nodeCounts(tasks, room); got != want {
			t.Errorf("nodeCounts(room %d) = %q, want %q", room, got, want)
		}
	}
}
