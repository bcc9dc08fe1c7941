package runner

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/endpoint"
	"github.com/swarmgen/swarmgen/ownlabels"
	"github.com/swarmgen/swarmgen/swarmapi"
)

// Cluster is a running lab seen from the host: its node containers.
type Cluster struct {
	Managers   []string          // manager container names, in spec order
	Containers map[string]string // swarm node name -> container name
	Registry   string            // registry container name
	Dir        string            // the generated files
	// Endpoint says the managers' engines listen on TCP with TLS (package
	// endpoint), published on BindAddress.
	Endpoint    bool
	BindAddress string
	// Dial reaches a container's engine; nil: swarmapi.ExecDialer.
	Dial func(container string) swarmapi.Dialer
}

// Errors of reading the lab's swarm, re-exported for the commands.
var ErrNoManager = swarmapi.ErrNoManager

// QuorumLostError means manager containers run but none can lead.
type QuorumLostError = swarmapi.QuorumLostError

func dockerOut(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Exec runs a command in a node's container (docker exec) and returns
// its output.
func Exec(ctx context.Context, container string, args ...string) (string, error) {
	return dockerOut(ctx, append([]string{"exec", container}, args...)...)
}

// DockerOn runs a docker command against a node's own engine.
func DockerOn(ctx context.Context, container string, args ...string) (string, error) {
	return Exec(ctx, container, append([]string{"docker"}, args...)...)
}

// managers is how the lab's managers are reached through the Engine API.
func (c Cluster) managers() swarmapi.Managers {
	return swarmapi.Managers{Containers: c.Managers, ByNode: c.Containers, Dial: c.Dial}
}

// dial reaches one container's engine.
func (c Cluster) dial(container string) swarmapi.Dialer {
	if c.Dial != nil {
		return c.Dial(container)
	}
	return swarmapi.ExecDialer(container)
}

// Leader returns the container of the manager that leads the swarm now,
// asking each manager in turn, so it follows a failover.
func (c Cluster) Leader(ctx context.Context) (string, error) {
	a, err := c.managers().Leader(ctx)
	if err != nil {
		return "", err
	}
	a.Client.Close()
	return a.Leader, nil
}

// Recover makes survivor the only manager of a new cluster that keeps the
// swarm's services (docker swarm init --force-new-cluster), then removes
// the managers that were left out from the node list and wipes their swarm
// state, so that `swarmgen up` joins them again as new managers. It
// returns the swarm node names it removed.
func (c Cluster) Recover(ctx context.Context, survivor, addr string) ([]string, error) {
	// Read again right before acting: the lost quorum that led here may
	// have come back (a manager restarting while the user read the
	// prompt), and forcing a new cluster then would split the swarm.
	var ql *QuorumLostError
	if _, err := c.Leader(ctx); !errors.As(err, &ql) {
		if err == nil {
			return nil, errors.New("the swarm has a leader again; nothing was changed")
		}
		return nil, fmt.Errorf("%v; nothing was changed", err)
	}
	on := func(args ...string) (string, error) { return DockerOn(ctx, survivor, args...) }
	if _, err := on("swarm", "init", "--force-new-cluster", "--advertise-addr", addr); err != nil {
		return nil, err
	}
	api, err := swarmapi.New(c.dial(survivor))
	if err != nil {
		return nil, err
	}
	defer api.Close()
	self, err := api.NodeID(ctx)
	if err != nil {
		return nil, err
	}
	nodes, err := api.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range nodes {
		id, name := n.ID, n.Description.Hostname
		if n.Spec.Role != swarm.NodeRoleManager || id == self {
			continue
		}
		// No longer a raft member, so it can go without a demote (which
		// swarm refuses for it: "can't find manager in raft memberlist").
		if _, err := on("node", "rm", "--force", id); err != nil {
			if _, derr := on("node", "demote", id); derr != nil {
				return removed, err
			}
			if _, err := on("node", "rm", "--force", id); err != nil {
				return removed, err
			}
		}
		removed = append(removed, name)
	}
	for _, m := range c.Managers {
		if m != survivor {
			if err := wipeSwarmState(ctx, m); err != nil {
				return removed, err
			}
		}
	}
	return removed, nil
}

// wipeSwarmState stops a manager left out by a recover and removes the
// swarm state from its volume. Started with that state, it and another
// left-out manager would be a majority of the old cluster and elect a
// leader of their own: two swarms, each sure it is the lab's.
func wipeSwarmState(ctx context.Context, container string) error {
	image, err := dockerOut(ctx, "inspect", "--format", "{{.Config.Image}}", container)
	if err != nil {
		return err
	}
	if _, err := dockerOut(ctx, "stop", container); err != nil {
		return err
	}
	_, err = dockerOut(ctx, "run", "--rm", "--network", "none", "--volumes-from", container,
		"--entrypoint", "rm", strings.TrimSpace(image), "-rf", "/var/lib/docker/swarm")
	return err
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

// NodeStatus is one swarm node as status shows it.
type NodeStatus struct {
	ID, Name, Role, State, Availability string
	Leader, Reachable                   bool
	Labels                              map[string]string
}

// TaskStatus is one running task.
type TaskStatus struct{ Name, Node, State string }

// ServiceStatus is one service with its tasks.
type ServiceStatus struct {
	Name, Mode, Replicas string
	Desired              int // from Replicas
	Running              int // running tasks on ready nodes
	Tasks                []TaskStatus
}

// Status is the swarm as a manager sees it.
type Status struct {
	Leader   string
	Nodes    []NodeStatus
	Services []ServiceStatus
}

// Status asks a manager for nodes, services and tasks; Leader is the
// container of the manager that leads now.
func (c Cluster) Status(ctx context.Context) (*Status, error) {
	a, err := c.managers().Leader(ctx)
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
	a, err := c.managers().Leader(ctx)
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
	st := &Status{Leader: leader}
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
// every task of a service; otherwise a service is one line of at most
// StatusWidth columns, its tasks counted per node.
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

// ExportLogs gathers what a bug report needs, as `kind export logs` does:
// each node's engine log and docker info, node and service inspect, task
// lists, and the generated files. A target ending in .tar.gz becomes a
// tarball; anything else a folder.
func (c Cluster) ExportLogs(ctx context.Context, target string) error {
	dir := target
	tarball := strings.HasSuffix(target, ".tar.gz") || strings.HasSuffix(target, ".tgz")
	if tarball {
		tmp, err := os.MkdirTemp("", "swarmgen-logs-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	save := func(name string, args ...string) {
		out, err := dockerOut(ctx, args...)
		if err != nil {
			out += "\n" + err.Error() + "\n"
		}
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(out), 0o644)
	}
	names := make([]string, 0, len(c.Containers))
	for n := range c.Containers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ctr := c.Containers[n]
		save(n+"/container.log", "logs", "--timestamps", ctr)
		save(n+"/docker-info.txt", "exec", ctr, "docker", "info")
		save(n+"/containers.txt", "exec", ctr, "docker", "ps", "-a", "--no-trunc")
	}
	save("registry/container.log", "logs", "--timestamps", c.Registry)
	if a, err := c.managers().Leader(ctx); err == nil {
		saveJSON := func(name string, v any, err error) {
			data, _ := json.MarshalIndent(v, "", "  ")
			if err != nil {
				data = []byte(err.Error())
			}
			p := filepath.Join(dir, name)
			_ = os.MkdirAll(filepath.Dir(p), 0o755)
			_ = os.WriteFile(p, append(data, '\n'), 0o644)
		}
		saveJSON("swarm/nodes.json", a.Nodes, nil)
		services, err := a.Client.Services(ctx)
		saveJSON("swarm/services.json", services, err)
		tasks, err := a.Client.Tasks(ctx, false)
		saveJSON("swarm/tasks.json", tasks, err)
		a.Client.Close()
		// docker's own tables, for reading: task errors ("no suitable node")
		save("swarm/tasks.txt", "exec", a.Leader, "sh", "-c", "for s in $(docker service ls -q); do docker service ps --no-trunc $s; done")
		save("swarm/networks.txt", "exec", a.Leader, "docker", "network", "ls")
	}
	if err := copyGenerated(c.Dir, filepath.Join(dir, "generated")); err != nil {
		return err
	}
	if tarball {
		return writeTarball(dir, target)
	}
	return nil
}

func copyGenerated(from, to string) error {
	for _, pattern := range []string{"docker-compose.yml", "bootstrap.sh", "teardown.sh", "stack/*.yml"} {
		matches, _ := filepath.Glob(filepath.Join(from, pattern))
		for _, m := range matches {
			rel, _ := filepath.Rel(from, m)
			data, err := os.ReadFile(m)
			if err != nil {
				return err
			}
			p := filepath.Join(to, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeTarball(dir, target string) error {
	f, err := os.Create(target)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: "swarmgen-logs/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}
