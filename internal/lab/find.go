package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/dockerformat"
	"github.com/swarmgen/swarmgen/internal/endpoint"
	"github.com/swarmgen/swarmgen/internal/endpointdef"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// ErrNoLab says no container on this host carries a lab's name.
type ErrNoLab struct{ Name string }

func (e ErrNoLab) Error() string {
	return fmt.Sprintf("no lab named %q on this host (swarmgen list shows the labs)", e.Name)
}

// Find reads the lab named name (its compose project) from its containers'
// labels alone: node containers by role and node name, the registry, the
// directory of its generated files and its Docker endpoint. A lab of
// machines, which has no container here, is read from its record, the
// host's docker context of the lab (machinesCluster). No spec is read,
// nothing is rendered and no machine is reached, so it works from any
// directory.
func Find(ctx context.Context, name string) (Cluster, error) {
	out, err := dockercli.Run(ctx, "ps", "-a", "--filter", "label="+ownlabels.Lab+"="+name, "--format",
		`{{.Names}}	{{.Label "`+ownlabels.Role+`"}}	{{.Label "`+ownlabels.Node+`"}}	{{.Label "`+ownlabels.WorkingDir+`"}}	{{.Ports}}`)
	if err != nil {
		return Cluster{}, err
	}
	cl, err := clusterOf(name, out)
	var none ErrNoLab
	if !errors.As(err, &none) {
		return cl, err
	}
	records, rerr := machineRecords(ctx)
	if rerr != nil {
		return Cluster{}, rerr
	}
	for _, r := range records {
		if r.Lab == name {
			return machinesCluster(r), nil
		}
	}
	return Cluster{}, err
}

// machineRecord is a lab of machines as the host's docker context of the
// lab records it (package endpointdef).
type machineRecord struct {
	endpointdef.Record
	Context  string // the docker context
	Endpoint string // the Docker endpoint it reaches (Leader's)
}

// machineRecords are the labs of machines the host's docker contexts
// record; a context that records none (a lab of containers', anyone
// else's) is left out.
func machineRecords(ctx context.Context) ([]machineRecord, error) {
	out, err := dockercli.Run(ctx, "context", "ls", "--format", dockerformat.MustNamed("context-endpoint"))
	if err != nil {
		return nil, err
	}
	return recordsOf(out), nil
}

// recordsOf reads docker context ls's NAME|ENDPOINT DESCRIPTION lines (the
// CLI of docker 20.10 marks the current context "NAME *").
func recordsOf(ls string) []machineRecord {
	var records []machineRecord
	for _, line := range strings.Split(strings.TrimRight(ls, "\n"), "\n") {
		name, rest, ok := strings.Cut(line, "|")
		name = strings.TrimSuffix(name, " *")
		if !ok || !endpointdef.IsLabContext(name) {
			continue
		}
		ep, desc, _ := strings.Cut(rest, " ")
		if r, ok := endpointdef.ParseRecord(desc); ok {
			records = append(records, machineRecord{Record: r, Context: name, Endpoint: ep})
		}
	}
	return records
}

// machinesCluster is a lab of machines found by its record: it reaches
// the one machine its docker context does (the leading manager at the last
// up), through that context, as the docker CLI would. Everything the swarm
// knows is read there; a leader elsewhere now is named with what to do
// (Cluster.Swarm), never guessed.
func machinesCluster(r machineRecord) Cluster {
	env := swarmapi.CLIEnv([]string{endpoint.ContextVar + "=" + r.Context})
	cl := Cluster{Dir: r.Dir, Managers: []string{r.Leader}, Containers: map[string]string{r.Leader: r.Leader},
		MachineEnv: map[string][]string{r.Leader: env}, MachineContext: r.Context}
	cl.Dial = func(name string) swarmapi.Dialer {
		if name != r.Leader {
			return func(context.Context) (net.Conn, error) {
				return nil, fmt.Errorf("machine %s is not the one the docker context %s reaches (%s)", name, r.Context, r.Leader)
			}
		}
		return swarmapi.CLIDialer("the Docker engine of machine "+name+" (docker context "+r.Context+")", env)
	}
	return cl
}

// clusterOf shapes Find's docker ps lines.
func clusterOf(name, ps string) (Cluster, error) {
	cl := Cluster{Containers: map[string]string{}}
	type manager struct{ node, container string }
	var managers []manager
	for _, line := range strings.Split(strings.TrimRight(ps, "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			continue
		}
		container, role, node, dir, ports := f[0], f[1], f[2], f[3], f[4]
		if cl.Dir == "" {
			cl.Dir = dir
		}
		switch role {
		case "registry":
			cl.Registry = container
			if addr, ok := publishedAt(ports, 5000); ok {
				cl.RegistryPublished = addr
			}
			continue
		case "manager":
			managers = append(managers, manager{node, container})
			if addr, ok := publishedAt(ports, endpoint.Port); ok {
				host, _, _ := net.SplitHostPort(addr)
				cl.Endpoint, cl.BindAddress = true, host
			}
		}
		if node != "" {
			cl.Containers[node] = container
		}
	}
	if len(cl.Containers) == 0 && cl.Registry == "" {
		return Cluster{}, ErrNoLab{name}
	}
	sort.Slice(managers, func(i, j int) bool { return managers[i].node < managers[j].node })
	for _, m := range managers {
		cl.Managers = append(cl.Managers, m.container)
	}
	return cl, nil
}

// publishedAt is the host address and port ("127.0.0.1:49153") where a
// container publishes its tcp port target, from docker ps's PORTS
// ("127.0.0.1:49153->2376/tcp, ..."); an IPv6 wildcard reads as 0.0.0.0.
func publishedAt(ports string, target int) (string, bool) {
	for _, p := range strings.Split(ports, ", ") {
		host, to, ok := strings.Cut(p, "->")
		if !ok || to != fmt.Sprintf("%d/tcp", target) {
			continue
		}
		if h, port, err := net.SplitHostPort(host); err == nil {
			if h == "::" {
				h = "0.0.0.0"
			}
			return net.JoinHostPort(h, port), true
		}
	}
	return "", false
}

// Address is a node container's address on the lab's network, the one
// its swarm advertises.
func (c Cluster) Address(ctx context.Context, container string) (string, error) {
	out, err := dockercli.Run(ctx, "inspect", "--format", `{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}`, container)
	if err != nil {
		return "", err
	}
	if f := strings.Fields(out); len(f) > 0 {
		return f[0], nil
	}
	return "", fmt.Errorf("container %s has no address", container)
}
