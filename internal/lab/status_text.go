package lab

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// StatusWidth is how wide a service's line of `swarmgen status` may be:
// a global service on many nodes must not wrap a terminal.
const StatusWidth = 100

// maxServiceName is where a service name is cut in the compact table, so
// that its node list keeps some room (the wide table has it whole).
const maxServiceName = 40

// printServicesCompact writes one line per service: name, mode,
// running/desired, and the nodes its tasks are on, with a count where a
// node has more than one; nodes that do not fit are counted at the end.
func printServicesCompact(w io.Writer, services []ServiceStatus) {
	rows := make([][]string, len(services))
	for i, svc := range services {
		rows[i] = []string{cut(svc.Name, maxServiceName), svc.Mode, fmt.Sprintf("%d/%d", svc.Running, svc.Desired)}
	}
	table(w, []string{"SERVICE", "MODE", "RUNNING/DESIRED"}, "NODES (tasks per node)", rows, func(i, room int) string {
		return nodeCounts(services[i].Tasks, room)
	})
}

// table writes a header and rows of short cells, each column as wide as
// its widest cell, each line ending in a long cell made to fit in what is
// left of StatusWidth (room).
func table(w io.Writer, header []string, lastHeader string, rows [][]string, last func(i, room int) string) {
	widths := make([]int, len(header))
	for c, h := range header {
		widths[c] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for c := range widths {
			widths[c] = max(widths[c], utf8.RuneCountInString(r[c]))
		}
	}
	const gap = "  "
	room := StatusWidth
	for _, wd := range widths {
		room -= wd + len(gap)
	}
	line := func(r []string, tail string) {
		var b strings.Builder
		for c, wd := range widths {
			b.WriteString(r[c] + strings.Repeat(" ", wd-utf8.RuneCountInString(r[c])) + gap)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String()+tail, " "))
	}
	line(header, lastHeader)
	for i, r := range rows {
		line(r, last(i, room))
	}
}

// nodeCounts is "worker01×2 worker02 …" in at most room columns; what does
// not fit becomes "+N nodes".
func nodeCounts(tasks []TaskStatus, room int) string {
	count := map[string]int{}
	for _, t := range tasks {
		node := t.Node
		if node == "" {
			node = "(unassigned)"
		}
		count[node]++
	}
	nodes := make([]string, 0, len(count))
	for n := range count {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	items := make([]string, len(nodes))
	for i, n := range nodes {
		items[i] = n
		if count[n] > 1 {
			items[i] = fmt.Sprintf("%s×%d", n, count[n])
		}
	}
	for shown := len(items); shown >= 0; shown-- {
		s := strings.Join(items[:shown], " ")
		if rest := len(items) - shown; rest > 0 {
			s = strings.TrimSpace(s + " +" + plural(rest, "node"))
		}
		if utf8.RuneCountInString(s) <= room {
			return s
		}
	}
	return plural(len(items), "node")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printTasksWide writes every task of every service, docker's task name
// with its node and state; a service's columns are on its first line only.
func printTasksWide(w io.Writer, services []ServiceStatus) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tMODE\tRUNNING/DESIRED\tTASK\tNODE\tSTATE")
	for _, svc := range services {
		service := fmt.Sprintf("%s\t%s\t%d/%d", svc.Name, svc.Mode, svc.Running, svc.Desired)
		if len(svc.Tasks) == 0 {
			fmt.Fprintf(tw, "%s\t-\t\t\n", service)
		}
		for i, t := range svc.Tasks {
			if i > 0 {
				service = "\t\t"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", service, t.Name, t.Node, t.State)
		}
	}
	tw.Flush()
}

// cut shortens s to n runes, marking the cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// SummaryNodes is the node count past which status sums the nodes up, a
// line per role, state and availability: a list of 100 nodes scrolls the
// services off the screen (--wide lists every node).
const SummaryNodes = 20

// printNodesSummary writes one line per role, state and availability
// (managers first, ready before the rest) with the count and the names,
// numbered runs shortened to "worker01..40".
func printNodesSummary(w io.Writer, nodes []NodeStatus) {
	type group struct {
		role, state, availability string
		names                     []string
	}
	var groups []*group
	byKey := map[[3]string]*group{}
	for _, n := range nodes {
		k := [3]string{n.Role, n.State, n.Availability}
		g := byKey[k]
		if g == nil {
			g = &group{role: n.Role, state: n.State, availability: n.Availability}
			byKey[k] = g
			groups = append(groups, g)
		}
		name := n.Name
		if name == "" { // a node that never reported (a join that failed): its ID
			name = cut(n.ID, 12)
		}
		g.names = append(g.names, name)
	}
	rank := func(s, first string) string { // first sorts before the rest
		if s == first {
			return ""
		}
		return s
	}
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.role != b.role {
			return rank(a.role, "manager") < rank(b.role, "manager")
		}
		if a.state != b.state {
			return rank(a.state, "ready") < rank(b.state, "ready")
		}
		return rank(a.availability, "active") < rank(b.availability, "active")
	})
	rows := make([][]string, len(groups))
	for i, g := range groups {
		rows[i] = []string{g.role, g.state, g.availability, strconv.Itoa(len(g.names))}
	}
	table(w, []string{"ROLE", "STATE", "AVAILABILITY", "NODES"}, "NAMES", rows, func(i, room int) string {
		return nameRuns(groups[i].names, room)
	})
}

// nameRuns is the names in at most room columns, a run of three or more
// consecutive numbers with one prefix written "worker01..40"; what
// does not fit becomes "+N nodes".
func nameRuns(names []string, room int) string {
	names = append([]string(nil), names...)
	sort.Slice(names, func(i, j int) bool { // w2 before w10
		pi, ni, _ := splitNumber(names[i])
		pj, nj, _ := splitNumber(names[j])
		if pi != pj || ni == nj {
			return names[i] < names[j]
		}
		return ni < nj
	})
	type item struct {
		text  string
		count int
	}
	var items []item
	for i := 0; i < len(names); {
		prefix, num, digits := splitNumber(names[i])
		j := i + 1
		for digits > 0 && j < len(names) {
			p, n, d := splitNumber(names[j])
			if p != prefix || d != digits || n != num+(j-i) {
				break
			}
			j++
		}
		if j-i >= 3 {
			items = append(items, item{names[i] + ".." + names[j-1][len(prefix):], j - i})
			i = j
			continue
		}
		items = append(items, item{names[i], 1})
		i++
	}
	total := len(names)
	for shown := len(items); shown >= 0; shown-- {
		texts, counted := make([]string, shown), 0
		for k := 0; k < shown; k++ {
			texts[k] = items[k].text
			counted += items[k].count
		}
		s := strings.Join(texts, " ")
		if rest := total - counted; rest > 0 {
			s = strings.TrimSpace(s + " +" + plural(rest, "node"))
		}
		if utf8.RuneCountInString(s) <= room {
			return s
		}
	}
	return plural(total, "node")
}

// splitNumber splits "worker07" into "worker", 7 and 2 digits; a name that
// does not end in a digit has 0 digits.
func splitNumber(name string) (prefix string, num, digits int) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == len(name) || len(name)-i > 9 {
		return name, 0, 0
	}
	num, _ = strconv.Atoi(name[i:])
	return name[:i], num, len(name) - i
}
