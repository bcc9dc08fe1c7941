package lab

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/endpoint"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// ErrNoLab says no container on this host carries a lab's name.
type ErrNoLab struct{ Name string }

func (e ErrNoLab) Error() string {
	return fmt.Sprintf("no lab named %q on this host (swarmgen list shows the labs)", e.Name)
}

// Find reads the lab named name (its compose project) from its containers'
// labels alone: node containers by role and node name, the registry, the
// directory of its generated files and its Docker endpoint. No spec is
// read and nothing is rendered, so it works from any directory.
func Find(ctx context.Context, name string) (Cluster, error) {
	out, err := dockercli.Run(ctx, "ps", "-a", "--filter", "label="+ownlabels.Lab+"="+name, "--format",
		`{{.Names}}	{{.Label "`+ownlabels.Role+`"}}	{{.Label "`+ownlabels.Node+`"}}	{{.Label "`+ownlabels.WorkingDir+`"}}	{{.Ports}}`)
	if err != nil {
		return Cluster{}, err
	}
	return clusterOf(name, out)
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
