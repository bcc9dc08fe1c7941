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

// A lab of 100 nodes: 3 managers, 97 workers of which two are down and one
// drained; status sums them up per role and state, each line short.
func hundredNodes() *Status {
	st := &Status{}
	for i := 1; i <= 3; i++ {
		st.Nodes = append(st.Nodes, NodeStatus{Name: fmt.Sprintf("manager%02d", i), Role: "manager", State: "ready", Availability: "active", Leader: i == 1})
	}
	for i := 1; i <= 97; i++ {
		n := NodeStatus{Name: fmt.Sprintf("worker%02d", i), Role: "worker", State: "ready", Availability: "active", Labels: map[string]string{"zone": "a"}}
		switch i {
		case 17, 52:
			n.State = "down"
		case 60:
			n.Availability = "drain"
		}
		if i == 97 { // a join that failed: a node with no hostname
			n.Name, n.State, n.ID = "", "down", "lu18mblvp6hx0s9z"
		}
		st.Nodes = append(st.Nodes, n)
	}
	st.Services = bigStatus().Services
	return st
}

func TestStatusSumsUpALargeLab(t *testing.T) {
	var buf bytes.Buffer
	hundredNodes().Print(&buf, false)
	out := buf.String()
	nodes := out[:strings.Index(out, "SERVICE")]
	want := `leader: manager01; managers up: 3 of 3

ROLE     STATE  AVAILABILITY  NODES  NAMES
manager  ready  active        3      manager01..03
worker   ready  active        93     worker01..16 worker18..51 worker53..59 worker61..96
worker   ready  drain         1      worker60
worker   down   active        3      lu18mblvp6h… worker17 worker52
(100 nodes, counted per role and state; --wide lists each node with its labels)

`
	if nodes != want {
		t.Errorf("status of 100 nodes:\n%s\nwant:\n%s", nodes, want)
	}
	if lines := strings.Count(out, "\n"); lines > 15 {
		t.Errorf("%d lines for 100 nodes and 3 services:\n%s", lines, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > StatusWidth {
			t.Errorf("%d columns, more than %d: %q", n, StatusWidth, l)
		}
	}
	buf.Reset()
	hundredNodes().Print(&buf, true)
	for _, want := range []string{"worker17   worker           down   active        zone=a", "worker96   worker"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("status --wide lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestSmallLabListsEveryNode(t *testing.T) {
	var buf bytes.Buffer
	st := bigStatus()
	st.Nodes = st.Nodes[:SummaryNodes]
	st.Print(&buf, false)
	if !strings.Contains(buf.String(), "NODE      ROLE") || !strings.Contains(buf.String(), "worker20  worker") || strings.Contains(buf.String(), "counted per role") {
		t.Errorf("a lab of %d nodes is not listed node by node:\n%s", SummaryNodes, buf.String())
	}
}

func TestNameRunsFitTheRoom(t *testing.T) {
	names := []string{"w3", "w1", "w2", "w5", "db", "w10", "w11", "w12", "w13", "x01", "x02"}
	for room, want := range map[int]string{
		60: "db w1..3 w5 w10..13 x01 x02",
		20: "db w1..3 w5 +6 nodes",
		19: "db w1..3 +7 nodes",
		9:  "+11 nodes",
		3:  "11 nodes",
	} {
		if got := nameRuns(names, room); got != want {
			t.Errorf("nameRuns(room %d) = %q, want %q", room, got, want)
		}
	}
}
