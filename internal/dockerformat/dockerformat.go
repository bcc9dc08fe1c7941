// Package dockerformat holds the Go templates the generated scripts hand
// to docker's --format, by name: each is spelled once, here, instead of in
// bash behind template escapes. Templates get them through the template
// func `format`; an unknown name is an error.
package dockerformat

import (
	"fmt"
	"maps"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

const (
	// the label docker stack deploy puts on a stack's services: docker
	// stack ls lists the stacks these name
	stackNamespace = "com.docker.stack.namespace"
	swarmState     = "{{.Swarm.LocalNodeState}}"
	clusterID      = "{{with .Swarm.Cluster}}{{.ID}}{{end}}" // empty outside a swarm
)

var byName = map[string]string{
	// docker ps
	"container-name":   "{{.Names}}",
	"container-record": "{{.Names}} {{.ID}} {{.State}} {{.Ports}}",
	// every container of the host: its compose project ("-" for none),
	// then container-record's fields (one read for the host check's ports
	// and nodes-up's record)
	"container-host": `{{or (.Label "com.docker.compose.project") "-"}} {{.Names}} {{.ID}} {{.State}} {{.Ports}}`,
	// what compose made a container from (its service's config hash) and
	// the image it runs: nodes-up's decision which nodes to recreate
	"container-config": `{{.Names}} {{or (.Label "com.docker.compose.service") "-"}} {{or (.Label "com.docker.compose.config-hash") "-"}} {{.Image}}`,
	// docker inspect of a container
	"container-status":  "{{.State.Status}}",
	"container-running": "{{.State.Running}}",
	// docker info of a node's engine
	"swarm-state": swarmState,
	// state, node ID and cluster ID in one read
	"swarm-membership": swarmState + " {{.Swarm.NodeID}} " + clusterID,
	"swarm-error":      "{{.Swarm.Error}}",
	// true while the engine runs a manager: a demoted one stops its
	// manager only after it has deleted its raft data
	"swarm-control": "{{.Swarm.ControlAvailable}}",
	// a machine's own name (the swarm's name for it) and membership
	"machine-info": "{{.Name}} " + swarmState + " {{.Swarm.NodeID}} " + clusterID,
	// docker node ls
	"node-ready": "{{.Hostname}} {{.Status}}",
	// the swarm read (swarm-read.sh.tmpl); MANAGERSTATUS last: empty on a worker
	"node-line": "{{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}",
	// docker node ls's own table row, its cells tab-separated (docker
	// turns the two characters \t into a tab)
	"node-row": `{{.ID}}{{if .Self}} *{{end}}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}`,
	// docker node inspect
	"node-state": "{{.Status.State}}",
	// a node rolled out: ID, state, availability, reachability (managers)
	"node-status":   "{{.ID}} {{.Status.State}} {{.Spec.Availability}} {{with .ManagerStatus}}{{.Reachability}}{{end}}",
	"node-leader":   "{{.ManagerStatus.Leader}}",
	"node-id":       "{{.ID}}",
	"info-node-id":  "{{.Swarm.NodeID}}", // the node ID an engine holds (its node in the swarm)
	"node-lab":      `{{index .Spec.Labels "` + ownlabels.Lab + `"}}`,
	"node-gwbridge": `{{.Description.Hostname}} {{index .Spec.Labels "` + ownlabels.GWBridge + `"}}`,
	// "HOSTNAME KEY=VALUE" a line for each of the node's labels
	"node-labels": "{{$n := .Description.Hostname}}{{range $k, $v := .Spec.Labels}}{{$n}} {{$k}}={{$v}}{{println}}{{end}}",
	// docker image inspect
	"image-id":      "{{.Id}}",
	"image-tags":    "{{len .RepoTags}}", // 0: dangling, which a rebuild leaves
	"image-digests": "{{range .RepoDigests}}{{println .}}{{end}}",
	// the digest of the build context an image was built from
	"image-context": `{{index .Config.Labels "` + ownlabels.Context + `"}}`,
	// ID|CONTEXT|DIGEST... of an image: the three above in one line, for
	// the push step's one read of every image it compares (image_facts)
	"image-facts": `{{.Id}}|{{index .Config.Labels "` + ownlabels.Context + `"}}|{{range .RepoDigests}}{{.}} {{end}}`,
	// docker stack|service|network|secret ls
	"name": "{{.Name}}",
	// docker service ls; docker service inspect
	// how a service runs, as the header's DESIRED spells what the spec
	// says (generator/model's Desired): NAME MODE IMAGE PORTS ENV LABELS,
	// tab-separated
	"service-spec":     `{{println}}spec {{.Spec.Name}}{{"\t"}}{{if .Spec.Mode.Global}}global{{else}}replicated{{with .Spec.Mode.Replicated}} {{.Replicas}}{{end}}{{end}}{{"\t"}}{{.Spec.TaskTemplate.ContainerSpec.Image}}{{"\t"}}{{with .Spec.EndpointSpec}}{{range .Ports}}{{.PublishedPort}}:{{.TargetPort}}/{{.Protocol}}/{{.PublishMode}} {{end}}{{end}}{{"\t"}}{{json .Spec.TaskTemplate.ContainerSpec.Env}}{{"\t"}}{{json .Spec.Labels}}`,
	"service-replicas": "{{.Name}} {{.Replicas}}",
	// docker service ls's own table row, as node-row
	"service-row": `{{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}`,
	// docker service inspect (the swarm read): "stack NAME" for a stack's
	// service, "hash SERVICE HASH" for a service the lab made, each a line
	"service-owner": `{{with index .Spec.Labels "` + stackNamespace + `"}}stack {{.}}{{println}}{{end}}` +
		`{{with index .Spec.Labels "` + ownlabels.Hash + `"}}hash {{$.Spec.Name}} {{.}}{{end}}`,
	// docker config ls: "STACK HASH" of a stack's record (machines)
	"stack-record": `{{.Label "` + ownlabels.Stack + `"}} {{.Label "` + ownlabels.Hash + `"}}`,
	// docker inspect of the registry container on a machine
	"registry-state": `{{.State.Running}} {{index .Config.Labels "` + ownlabels.Hash + `"}} {{index .Config.Labels "` + ownlabels.Loaded + `"}}`,
	// docker image inspect: the ID and the digests in a registry
	"image-id-digests": "{{.Id}}{{range .RepoDigests}} {{.}}{{end}}",
	// docker ps: a container's stack and service, when it is a task
	"task-owner": `{{.Label "` + stackNamespace + `"}}|{{.Label "com.docker.swarm.service.name"}}`,
	// docker image ls --digests: an image's tag and digest references
	"image-refs": "{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}",
	// docker secret ls (the swarm read): every version, with its secret's name and salt
	"secret-line": `{{.Name}} {{.Label "` + ownlabels.Secret + `"}} {{.Label "` + ownlabels.Salt + `"}}`,
	// docker network ls: the name, and whether the lab made it
	"network-line": `{{.Name}} {{.Label "` + ownlabels.Network + `"}}`,
	// docker context ls
	"context-endpoint": "{{.Name}}|{{.DockerEndpoint}} {{.Description}}",
	// docker context inspect: the engine a context reaches
	"context-host": "{{.Endpoints.docker.Host}}",
	// docker service ps of the tasks swarm gave up on: wait-converged tells a pull that cannot work
	"task-rejected": "{{.Name}}|{{.Node}}|{{.Image}}|{{.Error}}",
	// docker info: where the engine runs (preflight tells Docker Desktop, colima, OrbStack)
	"host-kind": "{{.OperatingSystem}}|{{.Name}}",
}

// Named is the format a template names (`{{ format "swarm-state" }}`); an
// unknown name is an error, so a template cannot spell a format of its own.
func Named(name string) (string, error) {
	if f, ok := byName[name]; ok {
		return f, nil
	}
	return "", fmt.Errorf("no docker format named %q", name)
}

// ByName is every format by its name (the runtime spells each as FORMAT_NAME; a test compares them).
func ByName() map[string]string { return maps.Clone(byName) }

// MustNamed is Named for Go code, where an unknown name is a bug.
func MustNamed(name string) string {
	f, err := Named(name)
	if err != nil {
		panic(err)
	}
	return f
}
