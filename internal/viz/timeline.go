package viz

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Event is one line of the visualizer's timeline: a change in the swarm's
// own view (the nodes list of the manager it reads) between two reads, or,
// when the server can read them, a network fault set or healed.
type Event struct {
	Time time.Time `json:"time"`
	// Kind, for the page's styling and for tests: watch, leader, no-leader,
	// down, ready, unreachable, reachable, joined, left, role,
	// availability, error, answers, via, fault, healed
	Kind string `json:"kind"`
	// Nodes the event is about, by name (the page marks them); may be empty
	Nodes []string `json:"nodes,omitempty"`
	Text  string   `json:"text"`
}

// DefaultMaxEvents is how many events the server keeps (the newest).
const DefaultMaxEvents = 100

// listAtMost is how many names an event spells out; past it, "and N
// more": a manager restart can take 100 nodes Down in one read.
const listAtMost = 6

// DeriveEvents compares two reads of the swarm and says what changed, in
// a fixed order: the source's errors, which manager answers, the leader,
// then per kind of change the nodes by name. prev nil is the first read:
// one "watch" event sums up the swarm. It is pure: the events carry
// cur.Time.
//
// Errors: a read that fails (cur.Error) is an event when its message
// changes, and "answers again" when one succeeds. After a failed read the
// caller passes as prev the last read that succeeded with the error set
// (the server does), so the node changes across a failed stretch are told
// once the swarm answers.
func DeriveEvents(prev, cur *Model) []Event {
	at := cur.Time
	var evs []Event
	add := func(kind, text string, nodes ...string) {
		evs = append(evs, Event{Time: at, Kind: kind, Nodes: nodes, Text: text})
	}
	if cur.Error != "" {
		if prev == nil || prev.Error != cur.Error {
			add("error", "cannot read the swarm"+via(cur)+": "+cur.Error)
		}
		return evs
	}
	if prev == nil || (prev.Error != "" && len(prev.Nodes) == 0) { // no read succeeded before
		ready := 0
		for _, n := range cur.Nodes {
			if !n.Down {
				ready++
			}
		}
		text := plural(len(cur.Nodes), "node") + ", " + strconv.Itoa(ready) + " ready"
		if l := leaderOf(cur); l != "" {
			text = l + " leads; " + text
		} else {
			text = "no leader; " + text
		}
		add("watch", "watching"+via(cur)+": "+text)
		return evs
	}
	if prev.Error != "" {
		add("answers", "the swarm answers again"+via(cur))
	}
	if prev.Via != cur.Via && cur.Via != "" && prev.Via != "" {
		add("via", "now reading the swarm through "+cur.Via+" (it knows a leader)")
	}
	switch was, is := leaderOf(prev), leaderOf(cur); {
	case was == is:
	case was != "" && is != "":
		add("leader", "leader changed from "+was+" to "+is, was, is)
	case is != "":
		add("leader", is+" leads", is)
	default:
		add("no-leader", "no node is marked leader ("+was+" was)", was)
	}

	before := make(map[string]*NodeColumn, len(prev.Nodes))
	for i := range prev.Nodes {
		before[prev.Nodes[i].ID] = &prev.Nodes[i]
	}
	seen := make(map[string]bool, len(cur.Nodes))
	var joined, down, ready, unreachable, reachable []string
	downWhy := map[string]bool{}
	changes := map[string][]string{} // role and availability: "worker01 drain" -> kind
	for _, n := range cur.Nodes {
		seen[n.ID] = true
		p := before[n.ID]
		if p == nil {
			joined = append(joined, n.Name+" ("+n.Role+")")
			continue
		}
		switch {
		case n.Down && !p.Down:
			down = append(down, n.Name)
			downWhy[stateWhy(n)] = true
		case !n.Down && p.Down:
			ready = append(ready, n.Name)
		}
		switch {
		case n.Reachability == "unreachable" && p.Reachability != "unreachable":
			unreachable = append(unreachable, n.Name)
		case n.Reachability == "reachable" && p.Reachability == "unreachable":
			reachable = append(reachable, n.Name)
		}
		if n.Role != p.Role {
			changes["role"] = append(changes["role"], n.Name+" is now a "+n.Role)
		}
		if n.Availability != p.Availability {
			changes["availability"] = append(changes["availability"], n.Name+" "+n.Availability)
		}
	}
	var left []string
	for _, p := range prev.Nodes {
		if !seen[p.ID] {
			left = append(left, p.Name)
		}
	}
	if len(down) > 0 {
		why := ""
		if len(downWhy) == 1 {
			for w := range downWhy {
				why = w
			}
		}
		add("down", nameList(down)+" "+isAre(down)+" Down for the managers"+why, down...)
	}
	if len(unreachable) > 0 {
		add("unreachable", nameList(unreachable)+" "+isAre(unreachable)+" unreachable for the leader (raft)", unreachable...)
	}
	if len(ready) > 0 {
		add("ready", nameList(ready)+" "+isAre(ready)+" Ready again", ready...)
	}
	if len(reachable) > 0 {
		add("reachable", nameList(reachable)+" "+isAre(reachable)+" reachable again for the leader", reachable...)
	}
	if len(joined) > 0 {
		add("joined", nameList(joined)+" joined the swarm", stripRoles(joined)...)
	}
	if len(left) > 0 {
		add("left", nameList(left)+" left the swarm", left...)
	}
	for _, kind := range []string{"role", "availability"} {
		if c := changes[kind]; len(c) > 0 {
			add(kind, nameList(c))
		}
	}
	return evs
}

// FaultEvents compares two reads of the network faults in force (node name
// -> what, as Options.Faults gives them): a node whose fault appears or
// changes is a "fault" event, one whose fault is gone a "healed" one.
// prev nil is the first read: only what is in force is told.
func FaultEvents(prev, cur map[string]string, at time.Time) []Event {
	var evs []Event
	var names []string
	for n := range cur {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if prev[n] != cur[n] {
			evs = append(evs, Event{Time: at, Kind: "fault", Nodes: []string{n}, Text: "network fault on " + n + ": " + cur[n]})
		}
	}
	var healed []string
	for n := range prev {
		if _, ok := cur[n]; !ok {
			healed = append(healed, n)
		}
	}
	if len(healed) > 0 {
		sort.Strings(healed)
		text := "network fault healed on " + nameList(healed)
		if len(cur) == 0 {
			text = "network faults healed: none in force (was on " + nameList(healed) + ")"
		}
		evs = append(evs, Event{Time: at, Kind: "healed", Nodes: healed, Text: text})
	}
	return evs
}

// timeline is the events kept, the newest last, at most max.
type timeline struct {
	max    int
	events []Event
}

func (t *timeline) add(evs ...Event) {
	t.events = append(t.events, evs...)
	if over := len(t.events) - t.max; over > 0 {
		// copy down, so the array the dropped ones were in does not grow
		t.events = append(t.events[:0:0], t.events[over:]...)
	}
}

func leaderOf(m *Model) string {
	for _, n := range m.Nodes {
		if n.Leader {
			return n.Name
		}
	}
	return ""
}

func via(m *Model) string {
	if m.Via == "" {
		return ""
	}
	return " through " + m.Via
}

// stateWhy is " (heartbeat failure)" for a node down with a message, or
// its state when it is not plain "down".
func stateWhy(n NodeColumn) string {
	switch {
	case n.Message != "":
		return " (" + n.Message + ")"
	case n.State != "down":
		return " (" + n.State + ")"
	}
	return ""
}

func nameList(names []string) string {
	if len(names) <= listAtMost {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:listAtMost-1], ", ") + " and " + strconv.Itoa(len(names)-listAtMost+1) + " more"
}

func isAre(names []string) string {
	if len(names) == 1 {
		return "is"
	}
	return "are"
}

func stripRoles(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i], _, _ = strings.Cut(s, " (")
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
