package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/workload"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// stackNamespace is the label docker stack deploy puts on a stack's services.
const stackNamespace = "com.docker.stack.namespace"

// Desired is how a service runs when it is as the spec says, spelled as
// the swarm read prints a running service (dockerformat's service-spec),
// so that the runtime sees drift made by hand: replicas, image, mode,
// published ports, environment and labels.
type Desired struct {
	Name   string // the swarm service
	Owner  string // "stack NAME" or "service"
	Mode   string // "replicated N" or "global"
	Image  string
	Ports  string // "PUBLISHED:TARGET/PROTOCOL/MODE" each, space-separated, sorted
	Env    string // JSON of KEY=VALUE, as docker's {{json}} prints it
	Labels string // JSON of the service's labels
}

// desiredStack is the services of stack st (deployed as deployAs).
func desiredStack(deployAs string, ws []workload.Workload, pullHost string) []Desired {
	var out []Desired
	for _, w := range ws {
		d := Desired{Name: w.Name, Owner: "stack " + deployAs, Mode: fmt.Sprint("replicated ", w.Replicas), Image: PullName(w.Image, pullHost)}
		if w.Global {
			d.Mode = "global"
		}
		var ports []string
		for _, p := range w.Ports {
			mode := "ingress"
			if p.HostMode {
				mode = "host"
			}
			ports = append(ports, fmt.Sprintf("%d:%d/%s/%s", p.Published, p.Target, p.Protocol, mode))
		}
		d.Ports = sortedWords(ports)
		d.Env = dockerJSON(w.Env)
		labels := maps.Clone(w.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[stackNamespace] = deployAs
		d.Labels = dockerJSON(labels)
		out = append(out, d)
	}
	return out
}

// desiredService is a standalone service as service() creates it.
func desiredService(s spec.Service, sv Service, mesh bool) Desired {
	d := Desired{Name: s.Name, Owner: "service", Image: sv.Image}
	if s.Mode == "global" {
		d.Mode = "global"
	} else {
		d.Mode = fmt.Sprint("replicated ", *s.Replicas)
	}
	var ports []string
	for _, p := range s.Ports {
		pp, _ := spec.ParsePort(p)
		mode := "ingress"
		if !mesh {
			mode = "host"
		}
		ports = append(ports, fmt.Sprintf("%d:%d/%s/%s", pp.Published, pp.Target, pp.Protocol, mode))
	}
	d.Ports = sortedWords(ports)
	var env []string
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		env = append(env, k+"="+s.Environment[k])
	}
	d.Env = dockerJSON(env)
	d.Labels = dockerJSON(map[string]string{ownlabels.Service: s.Name, ownlabels.Hash: sv.Hash})
	return d
}

func sortedWords(w []string) string {
	slices.Sort(w)
	return strings.Join(w, " ")
}

// dockerJSON is v as docker's template function json prints it (no HTML
// escaping; null for an empty list).
func dockerJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // strings only
	}
	return strings.TrimSpace(b.String())
}
