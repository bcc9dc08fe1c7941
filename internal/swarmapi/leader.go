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
	// Reach says how the managers are reached when Containers are not all
	// of them (a lab of machines found by its docker context reaches one
	// machine): the advice for a leader that is none of Containers.
	Reach string
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
// answers, so it follows a failover, then asks the manager that answer
// names leader (ManagerStatus.Leader) itself: the answer is always the
// leader's own, as bootstrap.sh's find_leader has it. A manager that is up
// but finds no leader (or names none: an election) counts towards a
// QuorumLostError; none up is ErrNoManager; a leader named but not
// answering is an error that names it.
func (m Managers) Leader(ctx context.Context) (*Answer, error) {
	up, survivor, noLeader := 0, "", false
	var silent error // the named leader that did not answer
	for _, ctr := range m.Containers {
		c, err := New(m.Dialer(ctr))
		if err != nil {
			return nil, err
		}
		nodes, err := c.Nodes(ctx)
		if err == nil {
			leader, named := m.leaderOf(nodes)
			if leader == "" && named != "" {
				// a leader swarmgen has no way to: not an election
				c.Close()
				silent = fmt.Errorf("manager %s answers that %s leads the swarm, and %s is not a manager swarmgen reaches here%s", ctr, named, named, m.reach())
				continue
			}
			if leader == ctr {
				return &Answer{Client: c, Answered: ctr, Leader: ctr, Nodes: nodes}, nil
			}
			c.Close()
			if leader == "" {
				// no node leads (an election): no answer to trust yet
				noLeader, up, survivor = true, up+1, ctr
				continue
			}
			a, err := m.ask(ctx, leader)
			if err == nil {
				return a, nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			silent = fmt.Errorf("manager %s answers that %s leads the swarm, but %s does not answer: %w", ctr, leader, leader, err)
			continue
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
	if silent != nil {
		return nil, silent
	}
	if noLeader {
		return nil, &QuorumLostError{Up: up, Total: len(m.Containers), Survivor: survivor}
	}
	return nil, ErrNoManager
}

// leaderOf is the container of the node that nodes mark leader, and that
// node's name ("" for both if none is; "" for the container if it is no
// container of the lab's).
func (m Managers) leaderOf(nodes []Node) (container, name string) {
	for _, n := range nodes {
		if n.ManagerStatus != nil && n.ManagerStatus.Leader {
			return m.ByNode[n.Description.Hostname], n.Description.Hostname
		}
	}
	return "", ""
}

func (m Managers) reach() string {
	if m.Reach == "" {
		return " (no node of the lab has its name)"
	}
	return ": " + m.Reach
}

// ask is the answer of container ctr itself, if it still leads.
func (m Managers) ask(ctx context.Context, ctr string) (*Answer, error) {
	c, err := New(m.Dialer(ctr))
	if err != nil {
		return nil, err
	}
	nodes, err := c.Nodes(ctx)
	if leader, _ := m.leaderOf(nodes); err == nil && leader != ctr {
		err = errors.New("it no longer leads")
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return &Answer{Client: c, Answered: ctr, Leader: ctr, Nodes: nodes}, nil
}
