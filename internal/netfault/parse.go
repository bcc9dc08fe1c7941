// Package netfault cuts and slows the network between a lab's node
// containers (swarmgen net): each fault lives inside one node's own network
// namespace, as rules of an iptables chain (Chain) and a netem qdisc
// (Handle) that swarmgen owns, so heal removes exactly what was added and
// nothing else, and the host and its bridge are never touched.
package netfault

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseGroups reads `net partition`'s arguments: each a comma-separated
// list of node names. Nodes in different groups are cut off from each
// other; a node named nowhere keeps reaching everyone. One group alone is
// cut off from the rest of the lab. nodes are the lab's node names.
func ParseGroups(args []string, nodes []string) ([][]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("give the groups to cut apart, e.g. `swarmgen net partition manager01 manager02,manager03` (nodes in different groups cannot reach each other)")
	}
	known := map[string]bool{}
	for _, n := range nodes {
		known[n] = true
	}
	in := map[string]int{}
	var groups [][]string
	for i, arg := range args {
		var g []string
		for _, name := range strings.Split(arg, ",") {
			name = strings.TrimSpace(name)
			switch {
			case name == "":
				return nil, fmt.Errorf("group %d (%q) has an empty node name; separate the nodes of a group with commas and the groups with spaces", i+1, arg)
			case !known[name]:
				return nil, fmt.Errorf("no node %q in this lab; its nodes: %s", name, strings.Join(nodes, ", "))
			}
			if j, dup := in[name]; dup {
				if j == i {
					return nil, fmt.Errorf("node %s is named twice in group %d (%q)", name, i+1, arg)
				}
				return nil, fmt.Errorf("node %s is in group %d and in group %d; a node belongs to one group", name, j+1, i+1)
			}
			in[name] = i
			g = append(g, name)
		}
		groups = append(groups, g)
	}
	if len(groups) == 1 {
		var rest []string
		for _, n := range nodes {
			if _, ok := in[n]; !ok {
				rest = append(rest, n)
			}
		}
		if len(rest) == 0 {
			return nil, fmt.Errorf("group %q holds every node of the lab: nothing to cut it off from", args[0])
		}
		groups = append(groups, rest)
	}
	return groups, nil
}

// Netem is a slow, lossy link: what `net delay` puts on a node.
type Netem struct {
	Delay, Jitter time.Duration
	Loss          float64 // percent of packets dropped, 0-100
}

// MaxDelay bounds delay and jitter: more would stop the swarm's own
// heartbeats rather than slow them, which `net partition` says better.
const MaxDelay = 10 * time.Second

// ParseNetem reads `net delay`'s delay ("200ms"), --jitter ("20ms", or "")
// and --loss ("5%", "0.5%", or "").
func ParseNetem(delay, jitter, loss string) (Netem, error) {
	var n Netem
	var err error
	if n.Delay, err = parseDuration("delay", delay); err != nil {
		return n, err
	}
	if jitter != "" {
		if n.Jitter, err = parseDuration("--jitter", jitter); err != nil {
			return n, err
		}
		if n.Jitter > n.Delay {
			return n, fmt.Errorf("--jitter %s is more than the delay %s: the delay varies by up to the jitter either way, and cannot go below 0", jitter, delay)
		}
	}
	if loss != "" {
		s := strings.TrimSpace(loss)
		if !strings.HasSuffix(s, "%") {
			return n, fmt.Errorf("--loss %q: give a percentage, e.g. 5%%", loss)
		}
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
			return n, fmt.Errorf("--loss %q: give a percentage from 0%% to 100%%, e.g. 5%%", loss)
		}
		n.Loss = f
	}
	if n.Delay == 0 && n.Loss == 0 {
		return n, fmt.Errorf("delay 0 and no --loss changes nothing; give a delay such as 200ms, or a --loss such as 5%%")
	}
	return n, nil
}

func parseDuration(what, s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s %q: give a duration such as 200ms or 1.5s", what, s)
	case d < 0:
		return 0, fmt.Errorf("%s %q is negative", what, s)
	case d > MaxDelay:
		return 0, fmt.Errorf("%s %q is more than %s; for a link that is gone, use swarmgen net partition", what, s, MaxDelay)
	case d%time.Microsecond != 0:
		return 0, fmt.Errorf("%s %q is finer than a microsecond, which tc cannot say", what, s)
	}
	return d, nil
}

// Args are netem's arguments to tc: delay D [JITTER] [loss P%].
func (n Netem) Args() []string {
	args := []string{"delay", tcTime(n.Delay)}
	if n.Jitter > 0 {
		args = append(args, tcTime(n.Jitter))
	}
	if n.Loss > 0 {
		args = append(args, "loss", strconv.FormatFloat(n.Loss, 'f', -1, 64)+"%")
	}
	return args
}

func (n Netem) String() string { return strings.Join(n.Args(), " ") }

// tcTime writes d in tc's units: whole milliseconds as ms, else us.
func tcTime(d time.Duration) string {
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatInt(d.Microseconds(), 10) + "us"
}
