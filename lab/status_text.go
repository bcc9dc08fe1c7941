package lab

import (
	"fmt"
	"io"
	"sort"
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
	header := [4]string{"SERVICE", "MODE", "RUNNING/DESIRED", "NODES (tasks per node)"}
	rows := make([][4]string, len(services))
	widths := [3]int{}
	for c := range widths {
		widths[c] = utf8.RuneCountInString(header[c])
	}
	for i, svc := range services {
		rows[i] = [4]string{cut(svc.Name, maxServiceName), svc.Mode, fmt.Sprintf("%d/%d", svc.Running, svc.Desired)}
		for c := range widths {
			widths[c] = max(widths[c], utf8.RuneCountInString(rows[i][c]))
		}
	}
	const gap = "  "
	room := StatusWidth
	for _, wd := range widths {
		room -= wd + len(gap)
	}
	line := func(r [4]string, nodes string) {
		var b strings.Builder
		for c, wd := range widths {
			b.WriteString(r[c] + strings.Repeat(" ", wd-utf8.RuneCountInString(r[c])) + gap)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String()+nodes, " "))
	}
	line(header, header[3])
	for i, svc := range services {
		line(rows[i], nodeCounts(svc.Tasks, room))
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
