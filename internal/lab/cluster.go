// Package lab reads a running lab from the host: its swarm's leader,
// nodes, services and tasks (swarmgen status, and the leader that
// swarmgen docker, env and viz talk to) through package swarmapi, the
// labs on this host (swarmgen list), and the node exercises (swarmgen
// node stop|kill|pause...).
package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/endpoint"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Cluster is a running lab seen from the host: its node containers.
type Cluster struct {
	Managers   []string          // manager container names, in spec order
	Containers map[string]string // swarm node name -> container name
	Registry   string            // registry container name
	// RegistryPublished is the host address and port the registry
	// container publishes (127.0.0.1:5000): where the host pushes
	RegistryPublished string
	Dir               string // the generated files
	// Endpoint says the managers' engines listen on TCP with TLS (package
	// endpoint), published on BindAddress.
	Endpoint    bool
	BindAddress string
	// Dial reaches a container's engine; nil: swarmapi.ExecDialer.
	Dial func(container string) swarmapi.Dialer
	// MachineEnv is, for a lab of machines, the docker CLI's environment
	// that reaches each node's engine (Containers' values are the nodes'
	// names); nil for a lab of containers.
	MachineEnv map[string][]string
	// RegistryMachine is the node that runs a lab of machines' registry.
	RegistryMachine string
	// MachineContext is, for a lab of machines found by its record (Find,
	// without its spec), the host's docker context it is reached through:
	// one machine, its leading manager at the last up (Managers).
	MachineContext string
}

// Swarm is how the lab's managers are reached through the Engine API.
func (c Cluster) Swarm() swarmapi.Managers {
	m := swarmapi.Managers{Containers: c.Managers, ByNode: c.Containers, Dial: c.Dial}
	if c.MachineContext != "" && len(c.Managers) == 1 {
		m.Reach = fmt.Sprintf("this lab of machines was found by its docker context %s, which reaches %s alone (the leader at the last swarmgen up); swarmgen up in %s points it at the leader, or give the lab's spec with -f to reach every machine",
			c.MachineContext, c.Managers[0], c.Dir)
	}
	return m
}

// Leader returns the container of the manager that leads the swarm now,
// asking each manager in turn, so it follows a failover.
func (c Cluster) Leader(ctx context.Context) (string, error) {
	a, err := c.Swarm().Leader(ctx)
	if err != nil {
		return "", err
	}
	a.Client.Close()
	return a.Leader, nil
}

// LabelNodes sets labels on the swarm's nodes (node name -> key -> value,
// "" removes the key) through the leader, leaving every other label and
// node alone. A swarm between leaders (a fault just put in force or
// healed) is asked again, until ctx ends.
func (c Cluster) LabelNodes(ctx context.Context, labels map[string]map[string]string) error {
	for {
		err := c.labelNodes(ctx, labels)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (c Cluster) labelNodes(ctx context.Context, labels map[string]map[string]string) error {
	a, err := c.Swarm().Leader(ctx)
	if err != nil {
		return err
	}
	defer a.Client.Close()
	for _, n := range a.Nodes {
		if set, ok := labels[n.Description.Hostname]; ok {
			if err := a.Client.SetNodeLabels(ctx, n, set); err != nil {
				return fmt.Errorf("node %s: %w", n.Description.Hostname, err)
			}
		}
	}
	return nil
}

// ErrNoEndpoint means the spec turns the lab's Docker endpoint off.
var ErrNoEndpoint = errors.New("this lab has no Docker endpoint (docker_endpoint: false in its spec); set it to true and run swarmgen up")

// Env is how a docker client on the host reaches the leading manager's
// engine through the lab's Docker endpoint.
func (c Cluster) Env(ctx context.Context) (endpoint.Env, error) {
	if !c.Endpoint {
		return endpoint.Env{}, ErrNoEndpoint
	}
	leader, err := c.Leader(ctx)
	if err != nil {
		return endpoint.Env{}, err
	}
	return endpoint.Lookup(ctx, leader, c.BindAddress, c.Dir)
}

// Docker runs a docker command on the leading manager, with the user's
// terminal attached when there is one: the host's docker client through
// the lab's Docker endpoint, so host paths work; without an endpoint,
// docker exec into the manager.
func (c Cluster) Docker(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) error {
	if c.MachineEnv != nil {
		// a machine's engine is an endpoint already: the host's docker
		// client reaches the leader's, with the user's terminal
		leader, err := c.Leader(ctx)
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, "docker", args...)
		cmd.Env = c.MachineEnv[leader]
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
		return cmd.Run()
	}
	if c.Endpoint {
		env, err := c.Env(ctx)
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, "docker", args...)
		cmd.Env = os.Environ()
		for _, kv := range env.Vars() {
			cmd.Env = append(cmd.Env, kv[0]+"="+kv[1])
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
		return cmd.Run()
	}
	leader, err := c.Leader(ctx)
	if err != nil {
		return err
	}
	execArgs := []string{"exec", "-i"}
	if tty {
		execArgs = append(execArgs, "-t")
	}
	execArgs = append(execArgs, leader, "docker")
	cmd := exec.CommandContext(ctx, "docker", append(execArgs, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	return cmd.Run()
}

// NodeStatus is one swarm node as status shows it. The JSON keys are
// status --json's, documented in docs/json.md: lowercase, as list --json
// and plan --json.
type NodeStatus struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Role         string            `json:"role"`
	State        string            `json:"state"`
	Availability string            `json:"availability"`
	Leader       bool              `json:"leader"`
	Reachable    bool              `json:"reachable"`
	Labels       map[string]string `json:"labels"`
}

// TaskStatus is one running task.
type TaskStatus struct {
	Name  string `json:"name"`
	Node  string `json:"node"`
	State string `json:"state"`
}

// ServiceStatus is one service with its tasks.
type ServiceStatus struct {
	Name     string       `json:"name"`
	Mode     string       `json:"mode"`
	Replicas string       `json:"replicas"`
	Desired  int          `json:"desired"` // from Replicas
	Running  int          `json:"running"` // running tasks on ready nodes
	Tasks    []TaskStatus `json:"tasks"`
}

// StatusVersion is status --json's version: it changes when a key is
// renamed or removed (new keys may come without it).
const StatusVersion = 1

// Status is the swarm as a manager sees it.
type Status struct {
	Version  int             `json:"version"`
	Leader   string          `json:"leader"`
	Nodes    []NodeStatus    `json:"nodes"`
	Services []ServiceStatus `json:"services"`
}

// Status asks a manager for nodes, services and tasks; Leader is the
// container of the manager that leads now. Leadership can move between the
// reads (a leader demoted to hand it over, as a roll-out does): a leader
// that is no manager any more, or a swarm without one for a moment, is
// asked again, a few times.
func (c Cluster) Status(ctx context.Context) (*Status, error) {
	var err error
	for try := 0; try < 3; try++ {
		var st *Status
		if st, err = c.status(ctx); err == nil || !(errors.Is(err, swarmapi.ErrNotManager) || errors.Is(err, swarmapi.ErrNoLeader)) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(try+1) * 200 * time.Millisecond):
		}
	}
	return nil, err
}

func (c Cluster) status(ctx context.Context) (*Status, error) {
	a, err := c.Swarm().Leader(ctx)
	if err != nil {
		return nil, err
	}
	defer a.Client.Close()
	services, err := a.Client.Services(ctx)
	if err != nil {
		return nil, err
	}
	var tasks []swarmapi.Task
	if len(services) > 0 {
		if tasks, err = a.Client.Tasks(ctx, true); err != nil {
			return nil, err
		}
	}
	return statusOf(a.Leader, a.Nodes, services, tasks, time.Now()), nil
}

// Nodes asks a manager for the swarm's nodes only; Leader is the
// container of the manager that leads now.
func (c Cluster) Nodes(ctx context.Context) (*Status, error) {
	a, err := c.Swarm().Leader(ctx)
	if err != nil {
		return nil, err
	}
	a.Client.Close()
	return statusOf(a.Leader, a.Nodes, nil, nil, time.Now()), nil
}

// statusOf shapes the Engine API's lists as status shows them, in the
// words of docker node ls, service ls and service ps (tasks meant to
// run), so that status --json stays what scripts read.
func statusOf(leader string, nodes []swarmapi.Node, services []swarmapi.Service, tasks []swarmapi.Task, now time.Time) *Status {
	st := &Status{Version: StatusVersion, Leader: leader, Nodes: []NodeStatus{}, Services: []ServiceStatus{}}
	hostname := map[string]string{}
	ready := map[string]bool{}
	for _, n := range nodes {
		ns := NodeStatus{ID: n.ID, Name: n.Description.Hostname, Role: string(n.Spec.Role), State: string(n.Status.State),
			Availability: string(n.Spec.Availability), Labels: n.Spec.Labels}
		if ms := n.ManagerStatus; ms != nil {
			ns.Leader, ns.Reachable = ms.Leader, ms.Reachability == swarm.ReachabilityReachable
		}
		hostname[n.ID] = ns.Name
		ready[n.ID] = n.Status.State == swarm.NodeStateReady
		st.Nodes = append(st.Nodes, ns)
	}
	sort.Slice(st.Nodes, func(i, j int) bool { return st.Nodes[i].Name < st.Nodes[j].Name })
	byID := map[string]*ServiceStatus{}
	for _, s := range services {
		svc := ServiceStatus{Name: s.Spec.Name, Mode: serviceMode(s), Replicas: replicas(s)}
		if s.ServiceStatus != nil {
			svc.Desired = int(s.ServiceStatus.DesiredTasks)
		}
		st.Services = append(st.Services, svc)
	}
	sort.Slice(st.Services, func(i, j int) bool { return st.Services[i].Name < st.Services[j].Name })
	index := map[string]int{}
	for i, svc := range st.Services {
		index[svc.Name] = i
	}
	for _, s := range services {
		byID[s.ID] = &st.Services[index[s.Spec.Name]]
	}
	sort.SliceStable(tasks, func(i, j int) bool {
		a, b := tasks[i], tasks[j]
		if a.ServiceID != b.ServiceID {
			return a.ServiceID < b.ServiceID
		}
		if a.Slot != b.Slot {
			return a.Slot < b.Slot
		}
		return hostname[a.NodeID] < hostname[b.NodeID]
	})
	for _, t := range tasks {
		svc := byID[t.ServiceID]
		if svc == nil {
			continue
		}
		// docker service ps names a task SERVICE.SLOT, or SERVICE.NODEID
		// for a global service's
		name := svc.Name + "." + t.NodeID
		if t.Slot != 0 {
			name = fmt.Sprintf("%s.%d", svc.Name, t.Slot)
		}
		node, ok := hostname[t.NodeID]
		if !ok {
			node = t.NodeID
		}
		state := string(t.Status.State)
		if state != "" {
			state = strings.ToUpper(state[:1]) + state[1:]
		}
		state += " " + strings.ToLower(units.HumanDuration(now.Sub(t.Status.Timestamp))) + " ago"
		svc.Tasks = append(svc.Tasks, TaskStatus{Name: name, Node: node, State: state})
		// a down node's tasks still count in Replicas until it returns
		if t.Status.State == swarm.TaskStateRunning && ready[t.NodeID] {
			svc.Running++
		}
	}
	return st
}

// serviceMode is the MODE column of docker service ls.
func serviceMode(s swarmapi.Service) string {
	switch m := s.Spec.Mode; {
	case m.Global != nil:
		return "global"
	case m.ReplicatedJob != nil:
		return "replicated job"
	case m.GlobalJob != nil:
		return "global job"
	}
	return "replicated"
}

// replicas is the REPLICAS column of docker service ls: running/desired,
// with the per-node maximum or the completed jobs.
func replicas(s swarmapi.Service) string {
	var running, desired, completed uint64
	if st := s.ServiceStatus; st != nil {
		running, desired, completed = st.RunningTasks, st.DesiredTasks, st.CompletedTasks
	}
	m := s.Spec.Mode
	switch {
	case m.Replicated != nil && s.Spec.TaskTemplate.Placement != nil && s.Spec.TaskTemplate.Placement.MaxReplicas > 0:
		return fmt.Sprintf("%d/%d (max %d per node)", running, desired, s.Spec.TaskTemplate.Placement.MaxReplicas)
	case m.ReplicatedJob != nil && m.ReplicatedJob.TotalCompletions != nil:
		return fmt.Sprintf("%d/%d (%d/%d completed)", running, desired, completed, *m.ReplicatedJob.TotalCompletions)
	case m.GlobalJob != nil:
		return fmt.Sprintf("%d/%d (%d/%d completed)", running, desired, completed, desired)
	}
	return fmt.Sprintf("%d/%d", running, desired)
}

// Print writes status as two tables: nodes, then services. Wide lists
// every node and every task of a service; otherwise more than
// SummaryNodes nodes are counted per role and state, and a service is one
// line of at most StatusWidth columns, its tasks counted per node.
func (s *Status) Print(w io.Writer, wide bool) {
	managers, up, leader := 0, 0, ""
	for _, n := range s.Nodes {
		if n.Role == "manager" {
			managers++
			if n.State == "ready" {
				up++
			}
		}
		if n.Leader {
			leader = n.Name
		}
	}
	fmt.Fprintf(w, "leader: %s; managers up: %d of %d", leader, up, managers)
	if up < managers {
		fmt.Fprintf(w, " (a majority of %d is needed; %d more may fail)", managers/2+1, up-(managers/2+1))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	if !wide && len(s.Nodes) > SummaryNodes {
		printNodesSummary(w, s.Nodes)
		fmt.Fprintf(w, "(%d nodes, counted per role and state; --wide lists each node with its labels)\n\n", len(s.Nodes))
		printServicesCompact(w, s.Services)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tLEADER\tSTATE\tAVAILABILITY\tLABELS")
	for _, n := range s.Nodes {
		leader := ""
		if n.Leader {
			leader = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Role, leader, n.State, n.Availability, labels(n.Labels))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if wide {
		printTasksWide(w, s.Services)
	} else {
		printServicesCompact(w, s.Services)
	}
}

func labels(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if !strings.HasPrefix(k, ownlabels.Prefix) { // swarmgen's bookkeeping
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	return strings.Join(keys, ",")
}
