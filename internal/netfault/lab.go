package netfault

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// Chain is the iptables chain swarmgen owns in each node's filter table,
// jumped to from INPUT and OUTPUT: it drops what comes from or goes to
// the lab addresses of the nodes cut off.
const Chain = "SWARMGEN-NET"

// DelayChain is the chain swarmgen owns in a node's mangle table when the
// kernel has no netem: jumped to from POSTROUTING for the lab interface, it
// drops the lost share of packets and queues the rest to a delayer
// (Delayer) that swarmgen runs inside the node.
const DelayChain = "SWARMGEN-NET-DELAY"

// Queue is the netfilter queue the delayer serves.
const Queue = 5347

// DelayerDir is where, inside a node, the delayer's binary and pid file
// are (in the container, so they go with it).
const DelayerDir = "/run/swarmgen-net"

// Handle is the handle of the netem qdisc swarmgen puts at the root of a
// node's lab interface: it tells swarmgen's qdisc from anyone else's.
const Handle = "5347:"

// Node is one node container of the lab.
type Node struct {
	Name      string `json:"name"`
	Container string `json:"container"`
}

// Lab is a lab of containers as net sees it.
type Lab struct {
	Nodes  []Node // in spec order
	Subnet string // the lab network's subnet: a node's interface in it is its lab interface
	// Binary returns a static Linux swarmgen on the host, copied into a
	// node to run the delayer when its kernel has no netem; nil: no such
	// fallback
	Binary func() (string, error)
	// Record, when set, keeps in the swarm what is in force: labels of the
	// swarm's nodes (node name -> label key -> value, "" removes), so that
	// up says so from the one read of the swarm it makes anyway, without a
	// docker exec a node. Partition and Delay record before they act (the
	// fault may cost the swarm its leader), Heal after.
	Record func(ctx context.Context, labels map[string]map[string]string)
}

// State is one node's network as read from inside its namespace.
type State struct {
	Node
	Running bool   `json:"running"`
	Address string `json:"address,omitempty"`   // the node's lab address
	Iface   string `json:"interface,omitempty"` // the interface that has it
	// HasChain: Chain exists; Jumps: the rules that jump to it, as
	// iptables-save writes them after -A ("INPUT -j SWARMGEN-NET")
	HasChain bool     `json:"-"`
	Jumps    []string `json:"-"`
	// HasDelay: DelayChain exists (the delayer's), with its jumps
	HasDelay   bool     `json:"-"`
	DelayJumps []string `json:"-"`
	// Dropped are the addresses Chain drops, and CutFrom the nodes they are
	Dropped []string `json:"-"`
	CutFrom []string `json:"cut_off_from,omitempty"`
	// Netem is swarmgen's netem qdisc's settings as tc shows them (or, from
	// the comment in DelayChain, the delayer's), "" when there is none;
	// Root is the root qdisc when it is someone else's
	Netem string `json:"netem,omitempty"`
	// Via is how the delay is made: "netem", or "delayer" (NFQUEUE)
	Via  string `json:"via,omitempty"`
	Root string `json:"-"`
	// NoTC says the node's image has no tc: partitions work, delays do not
	NoTC error `json:"-"`
}

// Faulty reports whether anything of swarmgen's is in force on the node.
func (s State) Faulty() bool { return s.HasChain || s.HasDelay || s.Netem != "" }

// Read reads every node's state in parallel. A node whose container does
// not run is Running false; a node that runs but cannot be read (no
// iptables or tc in its image, no interface in the lab subnet) is an error.
func (l Lab) Read(ctx context.Context) ([]State, error) {
	_, subnet, err := net.ParseCIDR(l.Subnet)
	if err != nil {
		return nil, fmt.Errorf("the lab network's subnet %q: %v", l.Subnet, err)
	}
	states := make([]State, len(l.Nodes))
	errs := make([]error, len(l.Nodes))
	var wg sync.WaitGroup
	for i, n := range l.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			states[i], errs[i] = readNode(ctx, n, subnet)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	byAddr := map[string]string{}
	for _, s := range states {
		if s.Address != "" {
			byAddr[s.Address] = s.Name
		}
	}
	for i := range states {
		for _, a := range states[i].Dropped {
			name, ok := byAddr[a]
			if !ok {
				name = a
			}
			states[i].CutFrom = append(states[i].CutFrom, name)
		}
	}
	return states, nil
}

func readNode(ctx context.Context, n Node, subnet *net.IPNet) (State, error) {
	s := State{Node: n}
	out, err := dockercli.Run(ctx, "exec", n.Container, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		if notRunning(err) {
			return s, nil
		}
		return s, toolError(n, "ip (iproute2)", err)
	}
	s.Running = true
	s.Iface, s.Address = labInterface(out, subnet)
	if s.Iface == "" {
		return s, fmt.Errorf("node %s has no interface in the lab network %s (ip -o -4 addr show says:\n%s)", n.Name, subnet, strings.TrimSpace(out))
	}
	rules, err := dockercli.Run(ctx, "exec", n.Container, "iptables-save")
	if err != nil {
		return s, toolError(n, "iptables", err)
	}
	r := parseRules(rules)
	s.HasChain, s.Jumps, s.Dropped = r.hasChain, r.jumps, r.dropped
	s.HasDelay, s.DelayJumps = r.hasDelay, r.delayJumps
	if r.hasDelay {
		s.Netem, s.Via = r.delay, "delayer"
	}
	qdiscs, err := dockercli.Run(ctx, "exec", n.Container, "tc", "qdisc", "show", "dev", s.Iface)
	if err != nil {
		if !missingTool(err) {
			return s, toolError(n, "tc (iproute2)", err)
		}
		// no tc: no qdisc of swarmgen's can be there; delay says why
		s.NoTC = toolError(n, "tc (iproute2)", err)
		return s, nil
	}
	netem, root := parseRoot(qdiscs)
	s.Root = root
	if netem != "" {
		s.Netem, s.Via = netem, "netem"
	}
	return s, nil
}

// notRunning: docker exec found no running container (stopped, paused or
// removed): such a node has no network namespace to fault.
func notRunning(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "is not running") || strings.Contains(msg, "No such container") || strings.Contains(msg, "is paused")
}

func toolError(n Node, tool string, err error) error {
	if missingTool(err) {
		return fmt.Errorf("node %s: its image has no %s, which swarmgen net runs inside the node; use a node image that has it (the docker:dind images have iptables; add iproute2 for tc)", n.Name, tool)
	}
	return fmt.Errorf("node %s: %v", n.Name, err)
}

func missingTool(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "executable file not found") || strings.Contains(msg, "not found in $PATH")
}

// labInterface finds, in `ip -o -4 addr show`, the interface whose address
// is in the lab subnet.
func labInterface(out string, subnet *net.IPNet) (iface, addr string) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[2] != "inet" {
			continue
		}
		ip, _, err := net.ParseCIDR(f[3])
		if err != nil || !subnet.Contains(ip) {
			continue
		}
		name, _, _ := strings.Cut(f[1], "@")
		return name, ip.String()
	}
	return "", ""
}

// rules is what iptables-save shows of swarmgen's.
type rules struct {
	hasChain, hasDelay bool
	jumps, delayJumps  []string // the jumping rules, after "-A "
	dropped            []string // the addresses Chain drops
	delay              string   // DelayChain's comment: the delay's settings
}

// parseRules reads iptables-save: Chain in the filter table, the
// addresses it drops and the rules that jump to it; DelayChain in the
// mangle table, its jumps and its comment.
func parseRules(out string) rules {
	var r rules
	table := ""
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasPrefix(f[0], "*") {
			table = f[0][1:]
			continue
		}
		switch {
		case table == "filter" && f[0] == ":"+Chain:
			r.hasChain = true
		case table == "mangle" && f[0] == ":"+DelayChain:
			r.hasDelay = true
		case f[0] != "-A" || len(f) < 4:
		case table == "filter" && f[len(f)-2] == "-j" && f[len(f)-1] == Chain:
			r.jumps = append(r.jumps, strings.Join(f[1:], " "))
		case table == "mangle" && f[len(f)-2] == "-j" && f[len(f)-1] == DelayChain:
			r.delayJumps = append(r.delayJumps, strings.Join(f[1:], " "))
		case table == "filter" && len(f) >= 6 && f[1] == Chain && (f[2] == "-s" || f[2] == "-d") && f[4] == "-j" && f[5] == "DROP":
			a := strings.TrimSuffix(f[3], "/32")
			if !seen[a] {
				seen[a] = true
				r.dropped = append(r.dropped, a)
			}
		case table == "mangle" && f[1] == DelayChain && f[2] == "-m" && f[3] == "comment":
			if _, c, ok := strings.Cut(line, "--comment "); ok {
				r.delay = strings.Trim(strings.TrimSpace(c), `"`)
			}
		}
	}
	return r
}

// parseRoot reads tc qdisc show: the settings of swarmgen's netem at the
// root, or the root qdisc when it is not swarmgen's ("noqueue 0:").
func parseRoot(out string) (netem, root string) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "qdisc" || f[3] != "root" {
			continue
		}
		if f[1] == "netem" && f[2] == Handle {
			rest := f[4:]
			for i := 0; i+1 < len(rest); i++ { // what follows refcnt N and limit N
				if rest[i] == "limit" {
					rest = rest[i+2:]
					break
				}
			}
			return strings.Join(rest, " "), ""
		}
		return "", f[1] + " " + f[2]
	}
	return "", ""
}

// byName indexes states by node name.
func byName(states []State) map[string]State {
	m := map[string]State{}
	for _, s := range states {
		m[s.Name] = s
	}
	return m
}

// Partition cuts the nodes of each group off from the nodes of every other
// group, replacing any partition in force. Nodes in no group lose their
// rules. Every node named must run.
func (l Lab) Partition(ctx context.Context, groups [][]string) ([]State, error) {
	states, err := l.Read(ctx)
	if err != nil {
		return nil, err
	}
	st := byName(states)
	group := map[string]int{}
	for i, g := range groups {
		for _, n := range g {
			if !st[n].Running {
				return nil, fmt.Errorf("node %s is not running: nothing to cut off (swarmgen node start %[1]s, or swarmgen up)", n)
			}
			group[n] = i
		}
	}
	// each node as it is to be: cut off from the nodes of the other groups
	want := make([]State, len(states))
	for k, s := range states {
		s.CutFrom, s.Dropped = nil, nil
		if i, in := group[s.Name]; in {
			for _, o := range states {
				if j, ok := group[o.Name]; ok && j != i {
					s.CutFrom = append(s.CutFrom, o.Name)
					s.Dropped = append(s.Dropped, o.Address)
				}
			}
		}
		want[k] = s
	}
	l.record(ctx, want)
	return states, l.recorded(ctx, l.each(want, func(s State) error {
		if _, in := group[s.Name]; !in {
			return heal(ctx, s, true, false)
		}
		_, err := dockercli.RunInput(ctx, partitionRules(s, s.Dropped), "exec", "-i", s.Container, "iptables-restore", "-w", "--noflush")
		return err
	}))
}

// record records states' faults, if the lab keeps a record.
func (l Lab) record(ctx context.Context, states []State) {
	if l.Record == nil {
		return
	}
	labels := map[string]map[string]string{}
	for _, s := range states {
		labels[s.Name] = map[string]string{ownlabels.NetCut: strings.Join(s.CutFrom, ","), ownlabels.NetDelay: s.Netem}
	}
	l.Record(ctx, labels)
}

// recorded is err; after a failed change, what is in force is read and
// recorded again, so that the record made before it does not stay wrong.
func (l Lab) recorded(ctx context.Context, err error) error {
	if err != nil && l.Record != nil {
		if states, rerr := l.Read(ctx); rerr == nil {
			l.record(ctx, states)
		}
	}
	return err
}

// partitionRules is iptables-restore input that makes Chain drop the
// peers' traffic: declaring the chain empties it (--noflush leaves every
// other chain alone), and the jumps are added only where missing.
func partitionRules(s State, peers []string) string {
	var b strings.Builder
	b.WriteString("*filter\n:" + Chain + " - [0:0]\n")
	for _, builtin := range []string{"INPUT", "OUTPUT"} {
		if jump := builtin + " -j " + Chain; !contains(s.Jumps, jump) {
			b.WriteString("-I " + jump + "\n")
		}
	}
	for _, p := range peers {
		b.WriteString("-A " + Chain + " -s " + p + "/32 -j DROP\n")
		b.WriteString("-A " + Chain + " -d " + p + "/32 -j DROP\n")
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Delay slows the node's lab interface: a netem qdisc at its root,
// replacing swarmgen's own but never anyone else's; on a kernel without
// netem, the delayer (a swarmgen copied into the node, serving a
// netfilter queue that DelayChain sends the interface's packets to).
func (l Lab) Delay(ctx context.Context, name string, n Netem) (State, error) {
	states, err := l.Read(ctx)
	if err != nil {
		return State{}, err
	}
	s, ok := byName(states)[name]
	switch {
	case !ok:
		return s, fmt.Errorf("no node %q in this lab; its nodes: %s", name, strings.Join(l.names(), ", "))
	case !s.Running:
		return s, fmt.Errorf("node %s is not running: nothing to slow down (swarmgen node start %[1]s, or swarmgen up)", name)
	case s.Root != "" && !defaultQdisc(s.Root):
		return s, fmt.Errorf("node %s: interface %s already has a root qdisc that is not swarmgen's (%s); swarmgen leaves it alone", name, s.Iface, s.Root)
	}
	want := slices.Clone(states)
	for k := range want {
		if want[k].Name == name {
			want[k].Netem = n.String()
		}
	}
	l.record(ctx, want)
	s, err = l.delay(ctx, s, n)
	return s, l.recorded(ctx, err)
}

func (l Lab) delay(ctx context.Context, s State, n Netem) (State, error) {
	name := s.Name
	noNetem := s.NoTC
	if noNetem == nil {
		args := append([]string{"exec", s.Container, "tc", "qdisc", "replace", "dev", s.Iface, "root", "handle", Handle, "netem"}, n.Args()...)
		_, err := dockercli.Run(ctx, args...)
		switch {
		case err == nil:
			if s.HasDelay { // a delay made by the delayer before: this one replaces it
				if err := healDelayer(ctx, s); err != nil {
					return s, err
				}
			}
			s.Netem, s.Via = n.String(), "netem"
			return s, nil
		case !strings.Contains(err.Error(), "Specified qdisc kind is unknown") && !strings.Contains(err.Error(), "Unknown qdisc"):
			return s, err
		}
		noNetem = fmt.Errorf("node %s: this kernel has no netem (sch_netem)", name)
	}
	if l.Binary == nil {
		return s, noNetem
	}
	if err := l.startDelayer(ctx, s, n); err != nil {
		return s, fmt.Errorf("%v; the delayer that stands in for it failed: %v", noNetem, err)
	}
	s.Netem, s.Via = n.String(), "delayer"
	return s, nil
}

// startDelayer copies swarmgen into the node, starts it there as the
// delayer (stopping one that runs), and sends the lab interface's
// outgoing packets through DelayChain: the lost share dropped, the rest
// queued to the delayer. The queue lets packets through while no delayer
// serves it (--queue-bypass), so a dead delayer cuts nothing.
func (l Lab) startDelayer(ctx context.Context, s State, n Netem) error {
	bin, err := l.Binary()
	if err != nil {
		return err
	}
	if _, err := dockercli.Run(ctx, "exec", s.Container, "mkdir", "-p", DelayerDir); err != nil {
		return err
	}
	if s.HasDelay {
		if _, err := dockercli.Run(ctx, "exec", s.Container, DelayerDir+"/swarmgen", "net", "delayer", "--stop"); err != nil {
			return err
		}
	}
	if _, err := dockercli.Run(ctx, "cp", bin, s.Container+":"+DelayerDir+"/swarmgen"); err != nil {
		return err
	}
	if n.Delay > 0 {
		if _, err := dockercli.Run(ctx, "exec", "-d", s.Container, DelayerDir+"/swarmgen", "net", "delayer",
			"--delay", n.Delay.String(), "--jitter", n.Jitter.String()); err != nil {
			return err
		}
	}
	_, err = dockercli.RunInput(ctx, delayRules(s, n), "exec", "-i", s.Container, "iptables-restore", "-w", "--noflush")
	return err
}

// delayRules is iptables-restore input for DelayChain: a comment that
// says the settings (net show reads it), the loss, the queue.
func delayRules(s State, n Netem) string {
	var b strings.Builder
	b.WriteString("*mangle\n:" + DelayChain + " - [0:0]\n")
	if jump := "POSTROUTING -o " + s.Iface + " -j " + DelayChain; !contains(s.DelayJumps, jump) {
		b.WriteString("-I " + jump + "\n")
	}
	b.WriteString("-A " + DelayChain + " -m comment --comment \"" + n.String() + "\"\n")
	if n.Loss > 0 {
		b.WriteString("-A " + DelayChain + " -m statistic --mode random --probability " + strconv.FormatFloat(n.Loss/100, 'f', -1, 64) + " -j DROP\n")
	}
	if n.Delay > 0 {
		b.WriteString("-A " + DelayChain + " -j NFQUEUE --queue-num " + strconv.Itoa(Queue) + " --queue-bypass\n")
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

// defaultQdisc: the qdisc the kernel attaches by itself (handle 0:), which
// replacing takes nothing from anyone.
func defaultQdisc(root string) bool { return strings.HasSuffix(root, " 0:") }

// Heal removes, on every running node, Chain with its jumps and
// swarmgen's netem qdisc or delayer, and returns the states it found.
func (l Lab) Heal(ctx context.Context) ([]State, error) {
	states, err := l.Read(ctx)
	if err != nil {
		return nil, err
	}
	err = l.each(states, func(s State) error { return heal(ctx, s, true, true) })
	if err != nil {
		return states, l.recorded(ctx, err)
	}
	healed := make([]State, len(states))
	for k, s := range states {
		s.CutFrom, s.Netem = nil, ""
		healed[k] = s
	}
	l.record(ctx, healed)
	return states, nil
}

func heal(ctx context.Context, s State, partition, delay bool) error {
	if partition && s.HasChain {
		var b strings.Builder
		b.WriteString("*filter\n")
		for _, j := range s.Jumps {
			b.WriteString("-D " + j + "\n")
		}
		b.WriteString("-F " + Chain + "\n-X " + Chain + "\nCOMMIT\n")
		if _, err := dockercli.RunInput(ctx, b.String(), "exec", "-i", s.Container, "iptables-restore", "-w", "--noflush"); err != nil {
			return err
		}
	}
	if delay && s.Via == "netem" {
		if _, err := dockercli.Run(ctx, "exec", s.Container, "tc", "qdisc", "del", "dev", s.Iface, "root", "handle", Handle); err != nil {
			return err
		}
	}
	if delay && s.HasDelay {
		return healDelayer(ctx, s)
	}
	return nil
}

// healDelayer removes DelayChain and its jumps, then stops the delayer and
// removes its files from the node.
func healDelayer(ctx context.Context, s State) error {
	var b strings.Builder
	b.WriteString("*mangle\n")
	for _, j := range s.DelayJumps {
		b.WriteString("-D " + j + "\n")
	}
	b.WriteString("-F " + DelayChain + "\n-X " + DelayChain + "\nCOMMIT\n")
	if _, err := dockercli.RunInput(ctx, b.String(), "exec", "-i", s.Container, "iptables-restore", "-w", "--noflush"); err != nil {
		return err
	}
	if _, err := dockercli.Run(ctx, "exec", s.Container, DelayerDir+"/swarmgen", "net", "delayer", "--stop"); err != nil && !missingTool(err) {
		return err
	}
	_, err := dockercli.Run(ctx, "exec", s.Container, "rm", "-rf", DelayerDir)
	return err
}

// each runs do on every running node in parallel, and reports every
// node's error.
func (l Lab) each(states []State, do func(State) error) error {
	errs := make([]error, len(states))
	var wg sync.WaitGroup
	for i, s := range states {
		if !s.Running {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := do(s); err != nil {
				errs[i] = fmt.Errorf("node %s: %v", s.Name, err)
			}
		}()
	}
	wg.Wait()
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return nil
}

func (l Lab) names() []string {
	var names []string
	for _, n := range l.Nodes {
		names = append(names, n.Name)
	}
	return names
}

// Describe says what is in force, one line a faulty node; "" when nothing.
func Describe(states []State) string {
	var lines []string
	width := 0
	for _, s := range states {
		if s.Faulty() && len(s.Name) > width {
			width = len(s.Name)
		}
	}
	for _, s := range states {
		if !s.Faulty() {
			continue
		}
		var what []string
		if s.HasChain {
			cut := append([]string(nil), s.CutFrom...)
			sort.Strings(cut)
			if len(cut) == 0 {
				what = append(what, "an empty "+Chain+" chain")
			} else {
				what = append(what, "cut off from "+strings.Join(cut, ", "))
			}
		}
		if s.Netem != "" {
			if s.Via == "delayer" {
				what = append(what, s.Netem+" on "+s.Iface+" (swarmgen's delayer: the kernel has no netem)")
			} else {
				what = append(what, "netem "+s.Netem+" on "+s.Iface)
			}
		}
		lines = append(lines, fmt.Sprintf("  %-*s  %s", width, s.Name, strings.Join(what, "; ")))
	}
	return strings.Join(lines, "\n")
}
