package viz

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Model is what the page and the terminal view show: a column per node with
// a card per task, and a legend of services. BuildModel makes it; it is
// served as JSON by /api/state and /events.
type Model struct {
	// Time is when the state was read. It is not part of "what changed".
	Time time.Time `json:"time"`
	// Error is set when the engine could not be read; the lists are then
	// empty and the page shows the message in a banner.
	Error string `json:"error,omitempty"`
	// Nodes: managers first, then by name.
	Nodes []NodeColumn `json:"nodes"`
	// Unassigned holds tasks with no node yet (pending, e.g. "no suitable
	// node") or on a node that is no longer listed.
	Unassigned []TaskCard `json:"unassigned"`
	// Services: the legend, by name.
	Services []ServiceLegend `json:"services"`
	// Via is the manager the state was read through, when the source
	// picks among several (Failover); "" otherwise.
	Via string `json:"via,omitempty"`
	// Timeline is what changed while the server watched, oldest first
	// (DeriveEvents, FaultEvents); the server fills it, BuildModel does not.
	Timeline []Event `json:"timeline,omitempty"`
}

// NodeColumn is one node and the tasks on it.
type NodeColumn struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"` // Description.Hostname
	Role          string   `json:"role"` // manager or worker
	Leader        bool     `json:"leader,omitempty"`
	Reachability  string   `json:"reachability,omitempty"` // managers only
	State         string   `json:"state"`                  // ready, down, unknown, disconnected
	Down          bool     `json:"down,omitempty"`         // State is not ready
	Message       string   `json:"message,omitempty"`      // e.g. "heartbeat failure"
	Availability  string   `json:"availability"`           // active, pause, drain
	Addr          string   `json:"addr,omitempty"`
	Labels        []string `json:"labels"` // "key=value", sorted
	EngineVersion string   `json:"engineVersion,omitempty"`
	// Fault is the network fault swarmgen net put on the node ("cut off
	// from manager02, manager03"), from the labels it records them in
	Fault string     `json:"fault,omitempty"`
	Tasks []TaskCard `json:"tasks"` // by service, then slot
}

// TaskCard is one task on a node.
type TaskCard struct {
	ID      string `json:"id"`
	Name    string `json:"name"`    // service.slot, or service.nodeID for global services (as docker names them)
	Service string `json:"service"` // service name
	Slot    string `json:"slot"`    // "3", or the short node ID for global services
	Image   string `json:"image"`   // repo:tag, no digest
	State   string `json:"state"`   // Status.State: running, preparing, failed, …
	Desired string `json:"desired"` // DesiredState
	// Stale: the node is down, so State is the last one it reported.
	Stale   bool      `json:"stale,omitempty"`
	Message string    `json:"message,omitempty"` // Status.Err, else Status.Message when not running
	Since   time.Time `json:"since"`             // Status.Timestamp
	Hue     int       `json:"hue"`               // the service's colour: an OKLCH hue, 0-359 (see ServiceHues)

	serviceOrder int // tie-breakers for sorting, not exported
	slotOrder    int
}

// ServiceLegend is one service's line in the legend.
type ServiceLegend struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Mode    string `json:"mode"` // replicated, global, replicated-job, global-job
	Stack   string `json:"stack,omitempty"`
	Image   string `json:"image"`
	Desired int    `json:"desired"`
	Running int    `json:"running"` // running tasks on nodes that are not down
	Hue     int    `json:"hue"`     // the service's colour: an OKLCH hue, 0-359 (see ServiceHues)
}

// activeStates are the task states of a task that has not ended; a down
// node's tasks in one of them are kept, as the last known state.
var activeStates = map[string]bool{
	"new": true, "allocated": true, "pending": true, "assigned": true, "accepted": true,
	"ready": true, "preparing": true, "starting": true, "running": true,
}

// BuildModel turns the Engine API lists into the page model. It is pure and
// deterministic: the same input gives the same output in the same order.
//
// A task gets a card when its desired state is running (or ready: a
// replacement waiting out its restart delay), on the node it is assigned
// to. A node that is down keeps its column, marked down, and the tasks it
// last reported active are still shown there, marked stale: swarm has
// already asked them to shut down and started replacements elsewhere.
//
// In the legend, desired is Spec.Mode.Replicated.Replicas for replicated
// services; for global ones ServiceStatus.DesiredTasks when the engine gave
// it, else the number of ready, non-drained nodes running a task of it.
// Running counts tasks in state running on nodes that are not down.
func BuildModel(nodes []swarmapi.Node, services []swarmapi.Service, tasks []swarmapi.Task, now time.Time) Model {
	m := Model{Time: now, Nodes: []NodeColumn{}, Unassigned: []TaskCard{}, Services: []ServiceLegend{}}

	nodeIndex := make(map[string]int, len(nodes))
	for _, n := range nodes {
		col := NodeColumn{
			ID:            n.ID,
			Name:          n.Description.Hostname,
			Role:          string(n.Spec.Role),
			State:         string(n.Status.State),
			Message:       n.Status.Message,
			Availability:  string(n.Spec.Availability),
			Addr:          n.Status.Addr,
			EngineVersion: n.Description.Engine.EngineVersion,
			Labels:        sortedLabels(n.Spec.Labels),
			Fault:         faultOf(n.Spec.Labels),
			Tasks:         []TaskCard{},
		}
		if col.Name == "" {
			col.Name = n.Spec.Name
		}
		if col.Name == "" {
			col.Name = shortID(n.ID)
		}
		col.Down = col.State != "ready"
		if ms := n.ManagerStatus; ms != nil {
			col.Leader = ms.Leader
			col.Reachability = string(ms.Reachability)
		}
		m.Nodes = append(m.Nodes, col)
	}
	sort.SliceStable(m.Nodes, func(i, j int) bool {
		a, b := m.Nodes[i], m.Nodes[j]
		if (a.Role == "manager") != (b.Role == "manager") {
			return a.Role == "manager"
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	for i, n := range m.Nodes {
		nodeIndex[n.ID] = i
	}

	type svcInfo struct {
		legend  int
		global  bool
		withRdy map[string]bool // nodes (ready, not drained) with a task, for global services
	}
	svcs := make(map[string]*svcInfo, len(services))
	for _, s := range services {
		l := ServiceLegend{
			ID:    s.ID,
			Name:  s.Spec.Name,
			Stack: s.Spec.Labels["com.docker.stack.namespace"],
		}
		if cs := s.Spec.TaskTemplate.ContainerSpec; cs != nil {
			l.Image = imageTag(cs.Image)
		}
		info := &svcInfo{}
		switch mode := s.Spec.Mode; {
		case mode.Replicated != nil:
			l.Mode = "replicated"
			if mode.Replicated.Replicas != nil {
				l.Desired = int(*mode.Replicated.Replicas)
			} else {
				l.Desired = 1
			}
		case mode.Global != nil:
			l.Mode = "global"
			info.global = true
			info.withRdy = map[string]bool{}
			l.Desired = -1 // from ServiceStatus or counted below
		case mode.ReplicatedJob != nil:
			l.Mode = "replicated-job"
			l.Desired = -1
		case mode.GlobalJob != nil:
			l.Mode = "global-job"
			info.global = true
			info.withRdy = map[string]bool{}
			l.Desired = -1
		}
		if l.Desired < 0 && s.ServiceStatus != nil {
			l.Desired = int(s.ServiceStatus.DesiredTasks)
		}
		info.legend = len(m.Services)
		m.Services = append(m.Services, l)
		svcs[s.ID] = info
	}
	names := make([]string, len(m.Services))
	for i, l := range m.Services {
		names[i] = l.Name
	}
	hues := ServiceHues(names)
	for i := range m.Services {
		m.Services[i].Hue = hues[m.Services[i].Name]
	}
	// Stable order of services by name; remember each one's rank for
	// sorting cards.
	order := make([]int, len(m.Services))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := m.Services[order[i]], m.Services[order[j]]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	rank := make([]int, len(m.Services))
	for r, i := range order {
		rank[i] = r
	}

	for _, t := range tasks {
		if t.DesiredState != "running" && t.DesiredState != "ready" {
			// Only a down node's last active tasks are kept among the others.
			ni, ok := nodeIndex[t.NodeID]
			if !ok || !m.Nodes[ni].Down || !activeStates[string(t.Status.State)] || t.DesiredState != "shutdown" {
				continue
			}
		}
		info := svcs[t.ServiceID]
		card := TaskCard{
			ID:      t.ID,
			State:   string(t.Status.State),
			Desired: string(t.DesiredState),
			Since:   t.Status.Timestamp,
		}
		if t.Spec.ContainerSpec != nil {
			card.Image = imageTag(t.Spec.ContainerSpec.Image)
		}
		if info != nil {
			l := &m.Services[info.legend]
			card.Service = l.Name
			card.Hue = l.Hue
			card.serviceOrder = rank[info.legend]
			if card.Image == "" {
				card.Image = l.Image
			}
		} else {
			// A task whose service is gone (being removed).
			card.Service = shortID(t.ServiceID)
			card.Hue = Hue(card.Service)
			card.serviceOrder = len(rank)
		}
		if t.Slot != 0 {
			card.Slot = strconv.Itoa(t.Slot)
			card.slotOrder = t.Slot
			card.Name = card.Service + "." + card.Slot
		} else {
			id := t.NodeID
			if id == "" {
				id = t.ID
			}
			card.Slot = shortID(id)
			card.Name = card.Service + "." + id
		}
		switch {
		case t.Status.Err != "":
			card.Message = t.Status.Err
		case t.Status.State != "running":
			card.Message = t.Status.Message
		}

		ni, onNode := nodeIndex[t.NodeID]
		if !onNode {
			m.Unassigned = append(m.Unassigned, card)
			continue
		}
		col := &m.Nodes[ni]
		card.Stale = col.Down
		col.Tasks = append(col.Tasks, card)
		if info == nil || col.Down || t.DesiredState != "running" {
			continue
		}
		if t.Status.State == "running" {
			m.Services[info.legend].Running++
		}
		if info.global && col.Availability != "drain" {
			info.withRdy[col.ID] = true
		}
	}
	for _, info := range svcs {
		if l := &m.Services[info.legend]; l.Desired < 0 {
			l.Desired = len(info.withRdy)
		}
	}

	sortCards := func(cards []TaskCard) {
		sort.SliceStable(cards, func(i, j int) bool {
			a, b := cards[i], cards[j]
			if a.serviceOrder != b.serviceOrder {
				return a.serviceOrder < b.serviceOrder
			}
			if a.Service != b.Service {
				return a.Service < b.Service
			}
			if a.slotOrder != b.slotOrder {
				return a.slotOrder < b.slotOrder
			}
			if a.Slot != b.Slot {
				return a.Slot < b.Slot
			}
			if a.Stale != b.Stale {
				return !a.Stale
			}
			return a.ID < b.ID
		})
	}
	for i := range m.Nodes {
		sortCards(m.Nodes[i].Tasks)
	}
	sortCards(m.Unassigned)
	sorted := make([]ServiceLegend, len(order))
	for r, i := range order {
		sorted[r] = m.Services[i]
	}
	m.Services = sorted
	return m
}

// imageTag drops the digest the engine pins images with:
// "registry:5000/echo:latest@sha256:…" becomes "registry:5000/echo:latest".
func imageTag(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	return image
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// faultOf says what network faults swarmgen net put in force on a node, as
// it records them in the node's labels ("cut off from manager01,
// manager02; delay 200ms"); "" when none.
func faultOf(labels map[string]string) string {
	var what []string
	if cut := labels[ownlabels.NetCut]; cut != "" {
		what = append(what, "cut off from "+strings.ReplaceAll(cut, ",", ", "))
	}
	if delay := labels[ownlabels.NetDelay]; delay != "" {
		what = append(what, delay)
	}
	return strings.Join(what, "; ")
}

func sortedLabels(labels map[string]string) []string {
	out := make([]string, 0, len(labels))
	for k, v := range labels {
		if strings.HasPrefix(k, ownlabels.Prefix) { // swarmgen's bookkeeping
			continue
		}
		if v == "" {
			out = append(out, k)
		} else {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}
