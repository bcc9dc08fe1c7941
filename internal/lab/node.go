package lab

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/swarmgen/swarmgen/internal/dockercli"
)

// NodeOp is what `swarmgen node VERB NAME` does to a node's container.
type NodeOp struct {
	Verb  string // swarmgen node's verb, and the docker command it runs
	Usage string // for --help
	Done  string // said afterwards; %s is the node's name
}

// NodeOps are the exercises of a swarm course: lose a node (cleanly, by
// a crash, or by a hang) and watch the swarm react, then bring it back.
var NodeOps = []NodeOp{
	{"stop", "stop the node's container (docker stop): a clean shutdown",
		"%s stopped: its engine shut down; the swarm marks it Down and moves its tasks (swarmgen node start %[1]s, or swarmgen up, brings it back)"},
	{"start", "start the node's container again: it rejoins with the same node ID",
		"%s started: it rejoins the swarm with the same node ID within seconds (swarmgen status)"},
	{"kill", "kill the node's container (docker kill, SIGKILL): a crash or a power loss",
		"%s killed: the swarm marks it Down once its heartbeats stop and moves its tasks (swarmgen node start %[1]s, or swarmgen up, brings it back)"},
	{"pause", "freeze the node's container (docker pause): a hung machine or a cut cable",
		"%s paused: it answers nothing; the swarm marks it Down once its heartbeats stop (swarmgen node unpause %[1]s, or swarmgen up, brings it back)"},
	{"unpause", "unfreeze a paused node's container",
		"%s unpaused: it carries on where it stopped and is Ready again within seconds (swarmgen status)"},
}

// NodeAction runs op's docker command on the container of swarm node name,
// and returns what to tell the user. The container's name comes from the
// rendered lab, never from name itself: an unknown name is an error that
// lists the lab's nodes.
func (c Cluster) NodeAction(ctx context.Context, op NodeOp, name string) (string, error) {
	container, ok := c.Containers[name]
	if !ok {
		nodes := make([]string, 0, len(c.Containers))
		for n := range c.Containers {
			nodes = append(nodes, n)
		}
		sort.Strings(nodes)
		return "", fmt.Errorf("no node %q in this lab; its nodes: %s", name, strings.Join(nodes, ", "))
	}
	if _, err := dockercli.Run(ctx, op.Verb, "--", container); err != nil {
		return "", err
	}
	return fmt.Sprintf(op.Done, name), nil
}
