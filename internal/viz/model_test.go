package viz

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

var fixtureTime = time.Date(2026, 11, 25, 4, 21, 0, 0, time.UTC)

// loadFixture reads testdata/NAME/{nodes,services,tasks}.json: answers of a
// Docker 20.10 manager to GET /nodes, /services?status=true and /tasks.
func loadFixture(t testing.TB, name string) ([]swarmapi.Node, []swarmapi.Service, []swarmapi.Task) {
	t.Helper()
	var (
		nodes    []swarmapi.Node
		services []swarmapi.Service
		tasks    []swarmapi.Task
	)
	for file, into := range map[string]any{"nodes": &nodes, "services": &services, "tasks": &tasks} {
		b, err := os.ReadFile(filepath.Join("testdata", name, file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("%s/%s.json: %v", name, file, err)
		}
	}
	return nodes, services, tasks
}

// layout draws which card is under which node, one line per node.
func layout(m Model) string {
	var b strings.Builder
	for _, n := range m.Nodes {
		fmt.Fprintf(&b, "%s [%s", n.Name, n.Role)
		if n.Leader {
			b.WriteString(" leader")
		}
		fmt.Fprintf(&b, " %s %s]:", n.State, n.Availability)
		for _, t := range n.Tasks {
			fmt.Fprintf(&b, " %s.%s=%s", t.Service, t.Slot, t.State)
			if t.Stale {
				b.WriteString("(stale)")
			}
		}
		b.WriteByte('\n')
	}
	for _, t := range m.Unassigned {
		fmt.Fprintf(&b, "unassigned: %s.%s=%s\n", t.Service, t.Slot, t.State)
	}
	for _, s := range m.Services {
		fmt.Fprintf(&b, "legend %s %s %d/%d\n", s.Name, s.Mode, s.Running, s.Desired)
	}
	return b.String()
}

// The recorded swarm: manager + worker01..03, worker03 down a few seconds
// ago. Swarm has asked worker03's tasks to shut down and started
// replacements (echo.4, echo.5, echo_api.2) that wait out their restart
// delay in state ready; the global echo_nginx (not on managers) is desired
// on the two live workers only.
func TestBuildModelNodeDown(t *testing.T) {
	nodes, services, tasks := loadFixture(t, "node-down")
	m := BuildModel(nodes, services, tasks, fixtureTime)

	want := `manager [manager leader ready active]: echo.1=running echo.3=running visualizer_app.1=running
worker01 [worker ready active]: echo.5=ready echo.6=running echo_api.1=running echo_api.2=ready echo_nginx.lkjxpl0pqz46=running
worker02 [worker ready active]: echo.2=running echo.4=ready echo_api.3=running echo_nginx.otyw02fv8b7b=running
worker03 [worker down active]: echo.4=running(stale) echo.5=running(stale) echo_api.2=running(stale) echo_nginx.x1xcq9vi1hzo=running(stale)
legend echo replicated 4/6
legend echo_api replicated 2/3
legend echo_nginx global 2/2
legend visualizer_app replicated 1/1
`
	if got := layout(m); got != want {
		t.Errorf("layout:\n%s\nwant:\n%s", got, want)
	}

	if !m.Time.Equal(fixtureTime) || m.Error != "" {
		t.Errorf("time %v error %q", m.Time, m.Error)
	}
	down := m.Nodes[3]
	if !down.Down || down.Message != "heartbeat failure" || down.Addr != "10.247.44.22" {
		t.Errorf("down node %+v", down)
	}
	mgr := m.Nodes[0]
	if mgr.EngineVersion != "20.10.24+dfsg1" || mgr.Reachability != "reachable" || mgr.ID != "wjennp0fy52nvc1bjacehk3qf" {
		t.Errorf("manager %+v", mgr)
	}
	card := mgr.Tasks[0]
	if card.Name != "echo.1" || card.Image != "registry:5000/yutsuki/echo:latest" || card.Desired != "running" ||
		card.Hue != m.Services[0].Hue || card.Since.IsZero() {
		t.Errorf("card %+v", card)
	}
	nginx := m.Nodes[1].Tasks[4]
	if nginx.Name != "echo_nginx.lkjxpl0pqz4661hhx7zqjlepa" || nginx.Slot != "lkjxpl0pqz46" ||
		nginx.Image != "registry:5000/gihyodocker/nginx-proxy:latest" {
		t.Errorf("global card %+v", nginx)
	}
	if s := m.Services[3]; s.Stack != "visualizer" || s.Image != "registry:5000/dockersamples/visualizer:latest" {
		t.Errorf("stack service legend %+v", s)
	}
	if len(m.Unassigned) != 0 {
		t.Errorf("unassigned %+v", m.Unassigned)
	}

	// Deterministic whatever the order the engine lists things in.
	r := rand.New(rand.NewSource(1))
	for range 20 {
		r.Shuffle(len(nodes), func(i, j int) { nodes[i], nodes[j] = nodes[j], nodes[i] })
		r.Shuffle(len(services), func(i, j int) { services[i], services[j] = services[j], services[i] })
		r.Shuffle(len(tasks), func(i, j int) { tasks[i], tasks[j] = tasks[j], tasks[i] })
		if again := BuildModel(nodes, services, tasks, fixtureTime); !reflect.DeepEqual(again, m) {
			t.Fatalf("shuffled input gives another model:\n%s", layout(again))
		}
	}
}

func u64(v uint64) *uint64 { return &v }

func node(id, host, role, state, avail string, labels map[string]string) swarmapi.Node {
	n := swarmapi.Node{ID: id}
	n.Description.Hostname = host
	n.Spec.Role, n.Spec.Availability, n.Spec.Labels = swarm.NodeRole(role), swarm.NodeAvailability(avail), labels
	n.Status.State = swarm.NodeState(state)
	if role == "manager" {
		n.ManagerStatus = &swarm.ManagerStatus{Reachability: "reachable"}
	}
	return n
}

func task(id, svc, nodeID string, slot int, desired, state string) swarmapi.Task {
	t := swarmapi.Task{ID: id, ServiceID: svc, NodeID: nodeID, Slot: slot, DesiredState: swarm.TaskState(desired)}
	t.Status.State = swarm.TaskState(state)
	return t
}

func TestBuildModelRules(t *testing.T) {
	nodes := []swarmapi.Node{
		node("n4", "w-b", "worker", "ready", "drain", nil),
		node("n3", "w-a", "worker", "ready", "active", map[string]string{"zone": "b", "disk": "ssd", "gpu": "", "dev.swarmgen.labels": "zone,disk"}),
		node("n2", "m-b", "manager", "ready", "active", nil),
		node("n1", "m-a", "manager", "unknown", "active", nil),
		node("n5", "w-c", "worker", "ready", "pause", nil),
	}
	nodes[2].ManagerStatus.Leader = true
	var web, agent, job swarmapi.Service
	web.ID, web.Spec.Name = "s1", "web"
	web.Spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: u64(3)}
	web.Spec.TaskTemplate.ContainerSpec = &swarm.ContainerSpec{Image: "nginx:1.27@sha256:abc"}
	agent.ID, agent.Spec.Name = "s2", "agent"
	agent.Spec.Mode.Global = &swarm.GlobalService{} // no ServiceStatus: counted from the tasks
	job.ID, job.Spec.Name = "s3", "migrate"
	job.Spec.Mode.ReplicatedJob = &swarm.ReplicatedJob{}
	job.ServiceStatus = &swarm.ServiceStatus{DesiredTasks: 1}
	tasks := []swarmapi.Task{
		task("t1", "s1", "n3", 2, "running", "running"),
		task("t2", "s1", "n3", 1, "running", "starting"),
		task("t3", "s1", "", 3, "running", "pending"), // no suitable node
		task("t4", "s1", "n3", 1, "shutdown", "failed"),
		task("t5", "s2", "n3", 0, "running", "running"),
		task("t6", "s2", "n2", 0, "running", "running"),
		task("t7", "s2", "n1", 0, "running", "running"), // node state unknown: stale
		task("t8", "s2", "n5", 0, "running", "running"),
		task("t9", "s3", "n2", 1, "complete", "complete"),
		task("t10", "gone", "n2", 1, "running", "running"), // service being removed
		task("t11", "s1", "n9", 4, "running", "running"),   // node no longer listed
	}
	m := BuildModel(nodes, []swarmapi.Service{web, agent, job}, tasks, fixtureTime)
	want := `m-a [manager unknown active]: agent.n1=running(stale)
m-b [manager leader ready active]: agent.n2=running gone.1=running
w-a [worker ready active]: agent.n3=running web.1=starting web.2=running
w-b [worker ready drain]:
w-c [worker ready pause]: agent.n5=running
unassigned: web.3=pending
unassigned: web.4=running
legend agent global 3/3
legend migrate replicated-job 0/1
legend web replicated 1/3
`
	if got := layout(m); got != want {
		t.Errorf("layout:\n%s\nwant:\n%s", got, want)
	}
	// swarmgen's own bookkeeping label is not shown
	if got := m.Nodes[2].Labels; !reflect.DeepEqual(got, []string{"disk=ssd", "gpu", "zone=b"}) {
		t.Errorf("labels %q", got)
	}
	if m.Nodes[3].Labels == nil || m.Nodes[3].Tasks == nil {
		t.Error("empty lists must be [] in JSON, not null")
	}
	if c := m.Nodes[2].Tasks[1]; c.Image != "nginx:1.27" || c.Name != "web.1" {
		t.Errorf("card %+v", c)
	}
	if c := m.Unassigned[0]; c.Message != "" || c.State != "pending" {
		t.Errorf("unassigned card %+v", c)
	}
}

func TestBuildModelEmpty(t *testing.T) {
	m := BuildModel(nil, nil, nil, fixtureTime)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-11-25T04:21:00Z","nodes":[],"unassigned":[],"services":[]}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestHueAndImageTag(t *testing.T) {
	if Hue("echo") != Hue("echo") || Hue("echo") == Hue("echo_api") {
		t.Error("hue must be deterministic and differ between these names")
	}
	for i := range 1000 {
		if h := Hue(fmt.Sprint("svc", i)); h < 0 || h >= 360 {
			t.Fatalf("hue %d out of range", h)
		}
	}
	for in, want := range map[string]string{
		"registry:5000/echo:latest@sha256:9e01": "registry:5000/echo:latest",
		"nginx@sha256:9e01":                     "nginx",
		"nginx:1.27":                            "nginx:1.27",
		"":                                      "",
	} {
		if got := imageTag(in); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", in, got, want)
		}
	}
}

// A node's network faults are what swarmgen net records in its labels;
// they are not shown among its labels.
func TestModelFaultFromLabels(t *testing.T) {
	nodes := []swarmapi.Node{
		{ID: "a", Description: swarm.NodeDescription{Hostname: "worker01"}, Spec: swarm.NodeSpec{Annotations: swarm.Annotations{Labels: map[string]string{
			ownlabels.NetCut: "manager01,manager02", ownlabels.NetDelay: "delay 200ms 20ms loss 5%", "zone": "a"}}}},
		{ID: "b", Description: swarm.NodeDescription{Hostname: "worker02"}, Spec: swarm.NodeSpec{Annotations: swarm.Annotations{Labels: map[string]string{
			ownlabels.NetDelay: "delay 50ms"}}}},
		{ID: "c", Description: swarm.NodeDescription{Hostname: "worker03"}},
	}
	m := BuildModel(nodes, nil, nil, time.Now())
	for i, want := range []string{"cut off from manager01, manager02; delay 200ms 20ms loss 5%", "delay 50ms", ""} {
		if m.Nodes[i].Fault != want {
			t.Errorf("%s: fault %q, want %q", m.Nodes[i].Name, m.Nodes[i].Fault, want)
		}
	}
	if got := strings.Join(m.Nodes[0].Labels, " "); got != "zone=a" {
		t.Errorf("worker01's labels shown: %q", got)
	}
}
