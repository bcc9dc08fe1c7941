package runner

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/swarmgen/swarmgen/endpoint"
	"github.com/swarmgen/swarmgen/ownlabels"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
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
}

// ErrNoManager means no manager container answers: the lab is down.
var ErrNoManager = errors.New("no manager of the lab answers; is it up? run `swarmgen up`")

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

// QuorumLostError means manager containers run but none can lead: too
// few managers are up for a majority.
type QuorumLostError struct {
	Up, Total int
	Survivor  string // a running manager container, for swarmgen recover
}

func (e *QuorumLostError) Error() string {
	return fmt.Sprintf(`the swarm has lost its quorum: %d of %d managers are up, and a majority is needed.
What still works: tasks that run keep running and answering.
What does not: nothing can be scheduled or changed (no deploy, scale, update or node change),
and a task that stops is not replaced.
To recover: bring the stopped managers back with `+"`swarmgen start`"+`, or, if they are gone
for good, run `+"`swarmgen recover`"+` (docker swarm init --force-new-cluster on %s).`, e.Up, e.Total, e.Survivor)
}

// Leader returns the container of the manager that leads the swarm now,
// asking each manager in turn, so it follows a failover.
func (c Cluster) Leader(ctx context.Context) (string, error) {
	st, err := c.Nodes(ctx)
	if err != nil {
		return "", err
	}
	return st.Leader, nil
}

// ask runs one shell command on the first manager that can answer for the
// swarm, and returns its output and which manager answered.
func (c Cluster) ask(ctx context.Context, script string) (out, manager string, err error) {
	up, survivor, noLeader := 0, "", false
	for _, m := range c.Managers {
		out, err := Exec(ctx, m, "sh", "-c", script)
		if err == nil {
			return out, m, nil
		}
		if strings.Contains(err.Error(), "does not have a leader") || strings.Contains(err.Error(), "context deadline exceeded") {
			noLeader = true
			up++
			survivor = m
		}
	}
	if noLeader {
		return "", "", &QuorumLostError{Up: up, Total: len(c.Managers), Survivor: survivor}
	}
	return "", "", ErrNoManager
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
	self, err := on("info", "--format", "{{.Swarm.NodeID}}")
	if err != nil {
		return nil, err
	}
	list, err := on("node", "ls", "--filter", "role=manager", "--format", "{{.ID}} {{.Hostname}}")
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		id, name, _ := strings.Cut(line, " ")
		if id == "" || id == strings.TrimSpace(self) {
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

// Status asks the leading manager for nodes, services and tasks.
func (c Cluster) Status(ctx context.Context) (*Status, error) {
	st, err := c.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	leader := st.Leader
	on := func(args ...string) (string, error) { return DockerOn(ctx, leader, args...) }
	ready := map[string]bool{}
	for _, n := range st.Nodes {
		ready[n.Name] = n.State == "ready"
	}
	out, err := on("service", "ls", "--format", "{{.Name}}\t{{.Mode}}\t{{.Replicas}}")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			continue
		}
		svc := ServiceStatus{Name: f[0], Mode: f[1], Replicas: f[2]}
		if _, desired, ok := strings.Cut(svc.Replicas, "/"); ok {
			fmt.Sscanf(desired, "%d", &svc.Desired) // "3" or "3 (max 2 per node)"
		}
		st.Services = append(st.Services, svc)
		names = append(names, svc.Name)
	}
	if len(names) == 0 {
		return st, nil
	}
	// one call for every service's tasks: task names are SERVICE.SLOT or SERVICE.NODEID
	tasks, err := on(append([]string{"service", "ps", "--filter", "desired-state=running", "--format", "{{.Name}}\t{{.Node}}\t{{.CurrentState}}"}, names...)...)
	if err != nil {
		return nil, err
	}
	byName := map[string]*ServiceStatus{}
	for i := range st.Services {
		byName[st.Services[i].Name] = &st.Services[i]
	}
	for _, line := range strings.Split(strings.TrimSpace(tasks), "\n") {
		tf := strings.Split(line, "\t")
		if len(tf) != 3 {
			continue
		}
		svcName := tf[0][:max(strings.LastIndex(tf[0], "."), 0)]
		svc := byName[svcName]
		if svc == nil {
			continue
		}
		svc.Tasks = append(svc.Tasks, TaskStatus{Name: tf[0], Node: tf[1], State: tf[2]})
		// a down node's tasks still count in Replicas until it returns
		if strings.HasPrefix(tf[2], "Running") && ready[tf[1]] {
			svc.Running++
		}
	}
	sort.Slice(st.Services, func(i, j int) bool { return st.Services[i].Name < st.Services[j].Name })
	return st, nil
}

// Nodes asks a manager for the swarm's nodes only, in one call; Leader is
// the container of the manager that leads now.
func (c Cluster) Nodes(ctx context.Context) (*Status, error) {
	out, answered, err := c.ask(ctx, `docker node inspect --format '{{json .}}' $(docker node ls -q)`)
	if err != nil {
		return nil, err
	}
	st := &Status{Leader: answered}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var n struct {
			ID          string
			Description struct{ Hostname string }
			Spec        struct {
				Role, Availability string
				Labels             map[string]string
			}
			Status        struct{ State string }
			ManagerStatus *struct {
				Leader       bool
				Reachability string
			}
		}
		if err := json.Unmarshal([]byte(line), &n); err != nil {
			return nil, fmt.Errorf("reading node inspect: %v", err)
		}
		ns := NodeStatus{ID: n.ID, Name: n.Description.Hostname, Role: n.Spec.Role, State: n.Status.State, Availability: n.Spec.Availability, Labels: n.Spec.Labels}
		if n.ManagerStatus != nil {
			ns.Leader, ns.Reachable = n.ManagerStatus.Leader, n.ManagerStatus.Reachability == "reachable"
			if ctr, ok := c.Containers[ns.Name]; ok && ns.Leader {
				st.Leader = ctr
			}
		}
		st.Nodes = append(st.Nodes, ns)
	}
	sort.Slice(st.Nodes, func(i, j int) bool { return st.Nodes[i].Name < st.Nodes[j].Name })
	return st, nil
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
	if leader, err := c.Leader(ctx); err == nil {
		save("swarm/nodes.json", "exec", leader, "sh", "-c", "docker node inspect $(docker node ls -q)")
		save("swarm/services.json", "exec", leader, "sh", "-c", "docker service inspect $(docker service ls -q) 2>/dev/null || true")
		save("swarm/tasks.txt", "exec", leader, "sh", "-c", "for s in $(docker service ls -q); do docker service ps --no-trunc $s; done")
		save("swarm/networks.txt", "exec", leader, "docker", "network", "ls")
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
