// Package recovery brings a swarm that lost its quorum back to one that
// can be changed: swarmgen recover. It is apart from reading the lab
// (package lab) because it is the one place that forces a new cluster.
package recovery

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/lab"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Recover makes survivor the only manager of a new cluster that keeps the
// swarm's services (docker swarm init --force-new-cluster), then removes
// the managers that were left out from the node list and wipes their swarm
// state, so that `swarmgen up` joins them again as new managers. It
// returns the swarm node names it removed.
func Recover(ctx context.Context, c lab.Cluster, survivor, addr string) ([]string, error) {
	// Read again right before acting: the lost quorum that led here may
	// have come back (a manager restarting while the user read the
	// prompt), and forcing a new cluster then would split the swarm.
	var ql *swarmapi.QuorumLostError
	if _, err := c.Leader(ctx); !errors.As(err, &ql) {
		if err == nil {
			return nil, errors.New("the swarm has a leader again; nothing was changed")
		}
		return nil, fmt.Errorf("%v; nothing was changed", err)
	}
	on := func(args ...string) (string, error) { return dockercli.On(ctx, survivor, args...) }
	if _, err := on("swarm", "init", "--force-new-cluster", "--advertise-addr", addr); err != nil {
		return nil, err
	}
	api, err := swarmapi.New(c.Swarm().Dialer(survivor))
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
	image, err := dockercli.Run(ctx, "inspect", "--format", "{{.Config.Image}}", container)
	if err != nil {
		return err
	}
	if _, err := dockercli.Run(ctx, "stop", container); err != nil {
		return err
	}
	_, err = dockercli.Run(ctx, "run", "--rm", "--network", "none", "--volumes-from", container,
		"--entrypoint", "rm", strings.TrimSpace(image), "-rf", "/var/lib/docker/swarm")
	return err
}
