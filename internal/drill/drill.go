// Package drill runs guided failure drills on a lab (swarmgen drill): each
// injects a fault (package netfault, or a stopped node), watches the swarm
// through the Engine API (package swarmapi), heals, and returns a timeline
// with measured outcomes and its own expectations, checked.
package drill

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/netfault"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Lab is what a drill acts on and watches.
type Lab struct {
	Net        netfault.Lab
	Swarm      swarmapi.Managers
	Managers   []string          // manager node names, in spec order
	Workers    []string          // worker node names, in spec order
	Containers map[string]string // node name -> container
	// Image is the image of the service a drill deploys; "" takes the
	// image of a service already in the swarm (the nodes can pull it)
	Image string
	// Live gets the timeline as it happens; nil: nothing
	Live io.Writer
	// Plan runs swarmgen plan on the lab and returns what it printed
	// (quorum-loss shows it refuse); nil: not shown
	Plan func(context.Context) (string, error)
	// Poll is how often the swarm is asked (0: 500ms)
	Poll time.Duration
}

// Event is one line of the timeline.
type Event struct {
	At   float64 `json:"at_s"` // seconds since the drill began
	What string  `json:"event"`
}

// Check is one expectation of the drill, and what was measured.
type Check struct {
	Expect   string `json:"expect"`
	OK       bool   `json:"ok"`
	Measured string `json:"measured"`
}

// Report is a drill's outcome: Passed when every check held.
type Report struct {
	Drill    string             `json:"drill"`
	Passed   bool               `json:"passed"`
	Timeline []Event            `json:"timeline"`
	Checks   []Check            `json:"checks"`
	Measures map[string]float64 `json:"measures_s"` // seconds
}

// Drill is one drill by name.
type Drill struct {
	Name, Usage string
	run         func(context.Context, *run) error
}

// Drills are the drills swarmgen knows, by name.
var Drills = []Drill{
	{"leader-partition", "the leader is cut off from the other managers (3+ managers): time to a new leader, step-down, one leader after healing", leaderPartition},
	{"worker-partition", "a worker is cut off from the managers: time to Down, tasks rescheduled, old tasks on the cut-off node, reconciled after healing", workerPartition},
	{"quorum-loss", "two of three managers stop: nothing can be changed; starting them restores the swarm without recover", quorumLoss},
	{"slow-overlay", "200ms on one worker's link: the round trip between two tasks over an overlay network, before, during and after", slowOverlay},
}

// Find returns the drill called name.
func Find(name string) (Drill, error) {
	var names []string
	for _, d := range Drills {
		if d.Name == name {
			return d, nil
		}
		names = append(names, d.Name)
	}
	return Drill{}, fmt.Errorf("no drill %q; the drills: %s", name, strings.Join(names, ", "))
}

// Run runs the drill on l. The error is for a drill that could not run
// (a lab that does not fit, a fault that could not be put); a swarm that
// did otherwise than expected is a Report with Passed false.
func (d Drill) Run(ctx context.Context, l Lab) (*Report, error) {
	r := &run{Lab: l, start: time.Now(), rep: &Report{Drill: d.Name, Measures: map[string]float64{}}}
	if r.Poll == 0 {
		r.Poll = 500 * time.Millisecond
	}
	defer r.closeClients()
	if err := d.run(ctx, r); err != nil {
		return r.rep, err
	}
	r.rep.Passed = true
	for _, c := range r.rep.Checks {
		r.rep.Passed = r.rep.Passed && c.OK
	}
	return r.rep, nil
}

// run is one drill under way.
type run struct {
	Lab
	start   time.Time
	rep     *Report
	mu      sync.Mutex
	clients map[string]*swarmapi.Client
}

func (r *run) event(format string, args ...any) {
	e := Event{At: secs(time.Since(r.start)), What: fmt.Sprintf(format, args...)}
	r.rep.Timeline = append(r.rep.Timeline, e)
	if r.Live != nil {
		fmt.Fprintf(r.Live, "%7.1fs  %s\n", e.At, e.What)
	}
}

// within checks that d (negative: never seen) is at most limit, and
// records d as measure name.
func (r *run) within(name, expect string, d, limit time.Duration) {
	c := Check{Expect: expect, OK: d >= 0 && d <= limit}
	if d < 0 {
		c.Measured = "not seen within " + limit.String() + "+"
	} else {
		c.Measured = fmt.Sprintf("%.1fs", secs(d))
		r.rep.Measures[name] = secs(d)
	}
	r.rep.Checks = append(r.rep.Checks, c)
}

func (r *run) check(expect string, ok bool, measured string) {
	r.rep.Checks = append(r.rep.Checks, Check{Expect: expect, OK: ok, Measured: measured})
}

func secs(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// client is a kept connection to a manager's engine: polling dials once.
func (r *run) client(container string) (*swarmapi.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[container]; ok {
		return c, nil
	}
	c, err := swarmapi.New(r.Swarm.Dialer(container))
	if err != nil {
		return nil, err
	}
	if r.clients == nil {
		r.clients = map[string]*swarmapi.Client{}
	}
	r.clients[container] = c
	return c, nil
}

func (r *run) closeClients() {
	for _, c := range r.clients {
		c.Close()
	}
}

// view is one manager's answer: the swarm's nodes as it sees them.
type view struct {
	Nodes []swarmapi.Node
	Err   error
}

// leader is the node the view says leads, "" when none.
func (v view) leader() string {
	for _, n := range v.Nodes {
		if n.ManagerStatus != nil && n.ManagerStatus.Leader {
			return n.Description.Hostname
		}
	}
	return ""
}

func (v view) node(name string) *swarmapi.Node {
	for i := range v.Nodes {
		if v.Nodes[i].Description.Hostname == name {
			return &v.Nodes[i]
		}
	}
	return nil
}

// askTimeout bounds one manager's answer when each manager's own view is
// read: a manager cut off from the others may not answer at all.
const askTimeout = 5 * time.Second

// ask asks the named managers, in parallel, for the nodes, each within
// askTimeout.
func (r *run) ask(ctx context.Context, managers []string) map[string]view {
	views := map[string]view{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, m := range managers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := view{}
			c, err := r.client(r.Containers[m])
			if err == nil {
				actx, cancel := context.WithTimeout(ctx, askTimeout)
				v.Nodes, err = c.Nodes(actx)
				cancel()
			}
			v.Err = err
			mu.Lock()
			views[m] = v
			mu.Unlock()
		}()
	}
	wg.Wait()
	return views
}

// leaderView is the answer of a manager that knows the leader, and its
// client, asking the managers in spec order.
func (r *run) leaderView(ctx context.Context) (view, *swarmapi.Client, error) {
	var last error
	for _, m := range r.Managers {
		c, err := r.client(r.Containers[m])
		if err != nil {
			return view{}, nil, err
		}
		actx, cancel := context.WithTimeout(ctx, 30*time.Second) // a loaded machine answers slowly
		nodes, err := c.Nodes(actx)
		cancel()
		if err == nil && (view{Nodes: nodes}).leader() != "" {
			return view{Nodes: nodes}, c, nil
		}
		last = err
	}
	if last == nil {
		last = fmt.Errorf("no manager knows a leader")
	}
	return view{}, nil, last
}

// until polls cond every Poll until it holds (returns how long after from
// it held) or limit passes (-1).
func (r *run) until(ctx context.Context, from time.Time, limit time.Duration, cond func() bool) (time.Duration, error) {
	for {
		if cond() {
			return time.Since(from), nil
		}
		if time.Since(from) > limit {
			return -1, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(r.Poll):
		}
	}
}

func others(all []string, not ...string) []string {
	var out []string
	for _, n := range all {
		if !contains(not, n) {
			out = append(out, n)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ready counts the ready nodes of a role in v.
func ready(v view, role swarm.NodeRole) int {
	n := 0
	for _, node := range v.Nodes {
		if node.Spec.Role == role && node.Status.State == swarm.NodeStateReady {
			n++
		}
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Print writes the report as text: the timeline, then the checks.
func (rep *Report) Print(w io.Writer, timeline bool) {
	if timeline {
		for _, e := range rep.Timeline {
			fmt.Fprintf(w, "%7.1fs  %s\n", e.At, e.What)
		}
	}
	fmt.Fprintln(w)
	for _, c := range rep.Checks {
		mark := "✓"
		if !c.OK {
			mark = "✗"
		}
		fmt.Fprintf(w, " %s %s: %s\n", mark, c.Expect, c.Measured)
	}
	if rep.Passed {
		fmt.Fprintf(w, "drill %s passed\n", rep.Drill)
	} else {
		fmt.Fprintf(w, "drill %s FAILED: the swarm did otherwise than expected\n", rep.Drill)
	}
}
