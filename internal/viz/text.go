package viz

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// RenderText draws the model for a terminal of the given width (80 when
// width <= 0): nodes side by side as columns (name; role, with "*" for the
// leader; state, upper case when down, and availability), each node's
// tasks listed under it as service.slot, with the state in parentheses
// when it is not running ("?" after it for a down node's last known
// state). Each column is as wide as its longest line, at most width; the
// columns fill rows of columns within the width. Then the services with
// running/desired counts, "!" marking a service short of tasks. The output
// is deterministic (swarmgen status --watch redraws it).
func RenderText(m *Model, width int) string {
	if width <= 0 {
		width = 80
	}
	var b strings.Builder
	if m == nil {
		return "no state\n"
	}
	if m.Error != "" {
		b.WriteString("error: " + m.Error + "\n")
		if len(m.Nodes) == 0 {
			return b.String()
		}
	}

	type column struct{ lines []string }
	var cols []column
	addCol := func(head []string, tasks []TaskCard) {
		c := column{lines: head}
		c.lines = append(c.lines, "") // rule, drawn later
		for _, t := range tasks {
			line := t.Service + "." + t.Slot
			switch {
			case t.Stale:
				line += " (" + t.State + "?)"
			case t.State != "running":
				line += " (" + t.State + ")"
			}
			c.lines = append(c.lines, line)
		}
		if len(tasks) == 0 {
			c.lines = append(c.lines, "-")
		}
		cols = append(cols, c)
	}
	for _, n := range m.Nodes {
		role := n.Role
		if n.Leader {
			role += " *"
		}
		state := n.State
		if n.Down {
			state = strings.ToUpper(n.State)
		}
		addCol([]string{n.Name, role, state + " " + n.Availability}, n.Tasks)
	}
	if len(m.Unassigned) > 0 {
		addCol([]string{"(no node)", "pending", ""}, m.Unassigned)
	}

	// Each column is as wide as its longest line (at most the width);
	// columns fill a row while they fit, then wrap to the next row.
	const gap = 2
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = 8
		for _, l := range c.lines {
			widths[i] = max(widths[i], utf8.RuneCountInString(l))
		}
		widths[i] = min(widths[i], width)
	}
	for start := 0; start < len(cols); {
		end, used := start+1, widths[start]
		for end < len(cols) && used+gap+widths[end] <= width {
			used += gap + widths[end]
			end++
		}
		row, rowW := cols[start:end], widths[start:end]
		height := 0
		for _, c := range row {
			height = max(height, len(c.lines))
		}
		if start > 0 {
			b.WriteByte('\n')
		}
		for i := 0; i < height; i++ {
			var line strings.Builder
			for j, c := range row {
				cell := ""
				if i == 3 {
					cell = strings.Repeat("-", rowW[j])
				} else if i < len(c.lines) {
					cell = fit(c.lines[i], rowW[j])
				}
				if j > 0 {
					line.WriteString(strings.Repeat(" ", gap))
				}
				line.WriteString(cell)
				line.WriteString(strings.Repeat(" ", rowW[j]-utf8.RuneCountInString(cell)))
			}
			b.WriteString(strings.TrimRight(line.String(), " "))
			b.WriteByte('\n')
		}
		start = end
	}

	if len(m.Services) > 0 {
		b.WriteByte('\n')
		line, items := "services:", 0
		for _, s := range m.Services {
			item := s.Name + " " + strconv.Itoa(s.Running) + "/" + strconv.Itoa(s.Desired)
			if s.Running < s.Desired {
				item += "!"
			}
			if items > 0 && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(item) > width {
				b.WriteString(line + "\n")
				line, items = " ", 0
			}
			line += " " + item
			items++
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// fit cuts s to w runes, marking the cut with "~".
func fit(s string, w int) string {
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	r := []rune(s)
	if w <= 1 {
		return string(r[:w])
	}
	return string(r[:w-1]) + "~"
}
