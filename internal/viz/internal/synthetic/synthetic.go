// Package synthetic makes synthetic swarms for the visualizer's benchmark and
// demo: N nodes, about M tasks over a dozen services, and a state that
// changes with a step number the way swarm would (a task rescheduled, a
// node going down and its tasks replaced elsewhere).
package synthetic

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/viz"
)

var serviceNames = []string{
	"shop_web", "shop_api", "shop_worker", "shop_cart", "auth_api", "auth_cache",
	"search_api", "search_indexer", "mail_sender", "reports_cron",
}

var images = []string{
	"registry:5000/shop/web:2.4.1", "registry:5000/shop/api:2.4.1", "registry:5000/shop/worker:2.4.0",
	"registry:5000/shop/cart:1.9.3", "registry:5000/auth/api:5.0.2", "redis:7.2-alpine",
	"registry:5000/search/api:0.9.8", "registry:5000/search/indexer:0.9.8", "registry:5000/mail/sender:3.1.0",
	"registry:5000/reports/cron:1.0.0",
}

func id(parts ...any) string {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	v := h.Sum64()
	out := make([]byte, 25)
	for i := range out {
		// splitmix64 step per character
		v += 0x9e3779b97f4a7c15
		z := (v ^ v>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		out[i] = alphabet[(z^z>>31)%36]
	}
	return string(out)
}

// Swarm returns nodes (the first three, or fewer, are managers; node01 the
// leader), about tasks tasks (two global services, one task per node each,
// and ten replicated ones sharing the rest) and the services, as the Engine
// API would list them at the given step. Every step reschedules one task;
// every 15 steps a worker goes down or comes back.
func Swarm(nodes, tasks, step int) ([]swarmapi.Node, []swarmapi.Service, []swarmapi.Task) {
	if nodes < 1 {
		nodes = 1
	}
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := base.Add(time.Duration(step) * time.Second)

	down := -1
	if nodes > 3 && (step/15)%2 == 1 {
		down = 3 + (step/30)%(nodes-3)
	}
	ns := make([]swarmapi.Node, nodes)
	for i := range ns {
		n := &ns[i]
		n.ID = id("node", i)
		n.Description.Hostname = fmt.Sprintf("node%02d", i+1)
		n.Description.Engine.EngineVersion = "20.10.24"
		n.Spec.Role = "worker"
		n.Spec.Availability = "active"
		n.Status.State = "ready"
		n.Status.Addr = fmt.Sprintf("10.20.0.%d", 10+i)
		n.Spec.Labels = map[string]string{"zone": string(rune('a' + i%3))}
		if i%4 == 1 {
			n.Spec.Labels["disk"] = "ssd"
		}
		if i < 3 {
			n.Spec.Role = "manager"
			n.ManagerStatus = &swarm.ManagerStatus{Leader: i == 0, Reachability: "reachable", Addr: n.Status.Addr + ":2377"}
		}
		if i == nodes-1 && nodes > 4 {
			n.Spec.Availability = "drain"
		}
		if i == down {
			n.Status.State = "down"
			n.Status.Message = "heartbeat failure"
		}
	}
	eligible := func(i int) bool { return ns[i].Spec.Availability != "drain" }

	u64 := func(v int) *uint64 { x := uint64(v); return &x }
	var svcs []swarmapi.Service
	var ts []swarmapi.Task
	addTask := func(svc *swarmapi.Service, slot, node int, desired, state string, since time.Time, salt int) {
		t := swarmapi.Task{
			ID:           id("task", svc.Spec.Name, slot, node, salt),
			ServiceID:    svc.ID,
			NodeID:       ns[node].ID,
			Slot:         slot,
			DesiredState: swarm.TaskState(desired),
		}
		t.Spec.ContainerSpec = &swarm.ContainerSpec{Image: svc.Spec.TaskTemplate.ContainerSpec.Image}
		t.Status.State = swarm.TaskState(state)
		t.Status.Timestamp = since
		t.Status.Message = map[string]string{"running": "started", "preparing": "preparing", "shutdown": "shutdown"}[state]
		ts = append(ts, t)
	}

	// Two global services: one task per eligible node.
	for g, name := range []string{"monitor_agent", "logs_shipper"} {
		s := swarmapi.Service{ID: id("svc", name)}
		s.Spec.Name = name
		s.Spec.Labels = map[string]string{"com.docker.stack.namespace": "ops"}
		s.Spec.Mode.Global = &swarm.GlobalService{}
		s.Spec.TaskTemplate.ContainerSpec = &swarm.ContainerSpec{Image: fmt.Sprintf("registry:5000/ops/%s:1.%d@sha256:%064x", name, g, g+1)}
		running := 0
		for i := range ns {
			if !eligible(i) {
				continue
			}
			if i == down {
				addTask(&s, 0, i, "shutdown", "running", base, 0)
				continue
			}
			addTask(&s, 0, i, "running", "running", base, 0)
			running++
		}
		s.ServiceStatus = &swarm.ServiceStatus{RunningTasks: uint64(running), DesiredTasks: uint64(running)}
		svcs = append(svcs, s)
	}

	// Replicated services share the remaining tasks.
	globals := 0
	for i := range ns {
		if eligible(i) && i != down {
			globals += 2
		}
	}
	rest := max(tasks-globals, len(serviceNames))
	weights := []int{30, 24, 20, 18, 16, 14, 12, 10, 8, 8}
	sum := 0
	for _, w := range weights {
		sum += w
	}
	total, slotIndex := 0, 0
	moving := step % rest
	for k, name := range serviceNames {
		replicas := rest * weights[k] / sum
		if k == len(serviceNames)-1 {
			replicas = rest - total
		}
		total += replicas
		s := swarmapi.Service{ID: id("svc", name)}
		s.Spec.Name = name
		s.Spec.Labels = map[string]string{"com.docker.stack.namespace": name[:indexByte(name, '_')]}
		s.Spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: u64(replicas)}
		s.Spec.TaskTemplate.ContainerSpec = &swarm.ContainerSpec{Image: images[k] + fmt.Sprintf("@sha256:%064x", k+10)}
		running := 0
		for slot := 1; slot <= replicas; slot++ {
			h := fnv.New32a()
			fmt.Fprint(h, name, slot)
			node := int(h.Sum32() % uint32(nodes))
			if slotIndex <= moving {
				// Rescheduled once per step, in order: tasks drift.
				node = (node + 1 + step/rest) % nodes
			} else {
				node = (node + step/rest) % nodes
			}
			for !eligible(node) {
				node = (node + 1) % nodes
			}
			if node == down {
				addTask(&s, slot, node, "shutdown", "running", base, 0)
				node = (node + 1) % nodes
				for !eligible(node) {
					node = (node + 1) % nodes
				}
			}
			switch {
			case slotIndex == moving:
				addTask(&s, slot, node, "running", "preparing", at, step)
			default:
				addTask(&s, slot, node, "running", "running", base, 0)
				running++
			}
			slotIndex++
		}
		s.ServiceStatus = &swarm.ServiceStatus{RunningTasks: uint64(running), DesiredTasks: uint64(replicas)}
		svcs = append(svcs, s)
	}
	return ns, svcs, ts
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return len(s)
}

// Source is a viz.Source over Swarm whose step advances every Period
// (default 1s) from when it was first read.
type Source struct {
	Nodes, Tasks int
	Period       time.Duration

	mu    sync.Mutex
	start time.Time
}

// Snapshot builds the model for the current step.
func (s *Source) Snapshot(ctx context.Context) (*viz.Model, error) {
	s.mu.Lock()
	if s.start.IsZero() {
		s.start = time.Now()
	}
	period := s.Period
	if period <= 0 {
		period = time.Second
	}
	step := int(time.Since(s.start) / period)
	s.mu.Unlock()
	n, sv, t := Swarm(s.Nodes, s.Tasks, step)
	m := viz.BuildModel(n, sv, t, time.Now().UTC())
	return &m, nil
}
