package swarmapi

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoManager means no manager container answers: the lab is down.
var ErrNoManager = errors.New("no manager of the lab answers; is it up? run `swarmgen up`")

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

// Managers are a lab's manager containers, and how to reach their engines.
type Managers struct {
	Containers []string          // manager containers, in spec order
	ByNode     map[string]string // swarm node name (hostname) -> container
	// Dial reaches a container's engine; nil: ExecDialer.
	Dial func(container string) Dialer
}

// Dialer reaches one container's engine.
func (m Managers) Dialer(container string) Dialer {
	if m.Dial != nil {
		return m.Dial(container)
	}
	return ExecDialer(container)
}

// Answer is the node list one manager gave, with a client on it.
type Answer struct {
	Client   *Client // on Answered; the caller closes it
	Answered string  // the manager container that answered
	Leader   string  // the container of the manager that leads now
	Nodes    []Node
}

// Leader asks each manager in turn for the swarm's nodes until one
// answers, so it follows a failover, and names the leading manager's
// container. A manager that is up but finds no leader counts towards a
// QuorumLostError; none up is ErrNoManager.
func (m Managers) Leader(ctx context.Context) (*Answer, error) {
	up, survivor, noLeader := 0, "", false
	for _, ctr := range m.Containers {
		c, err := New(m.Dialer(ctr))
		if err != nil {
			return nil, err
		}
		nodes, err := c.Nodes(ctx)
		if err == nil {
			a := &Answer{Client: c, Answered: ctr, Leader: ctr, Nodes: nodes}
			for _, n := range nodes {
				if leader, ok := m.ByNode[n.Description.Hostname]; ok && n.ManagerStatus != nil && n.ManagerStatus.Leader {
					a.Leader = leader
				}
			}
			return a, nil
		}
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, ErrNoLeader) {
			noLeader = true
			up++
			survivor = ctr
		}
	}
	if noLeader {
		return nil, &QuorumLostError{Up: up, Total: len(m.Containers), Survivor: survivor}
	}
	return nil, ErrNoManager
}
