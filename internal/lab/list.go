package lab

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// LabInfo is one lab found on this host by its containers' labels, as
// `swarmgen list --json` prints it.
type LabInfo struct {
	Name    string `json:"name"`    // compose project
	Nodes   int    `json:"nodes"`   // node containers (the registry is not counted)
	Running int    `json:"running"` // of them, running
	State   string `json:"state"`   // running, stopped or degraded (some nodes stopped)
	Dir     string `json:"dir"`     // where its generated files are
}

// List finds every lab on this host from its ownlabels.Lab label.
func List(ctx context.Context) ([]LabInfo, error) {
	out, err := dockercli.Run(ctx, "ps", "-a", "--filter", "label="+ownlabels.Lab,
		"--format", `{{.Label "`+ownlabels.Lab+`"}}	{{.Label "`+ownlabels.Role+`"}}	{{.State}}	{{.Label "`+ownlabels.WorkingDir+`"}}`)
	if err != nil {
		return nil, err
	}
	labs := map[string]*LabInfo{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			continue
		}
		l := labs[f[0]]
		if l == nil {
			l = &LabInfo{Name: f[0], Dir: f[3]}
			labs[f[0]] = l
		}
		if f[1] == "registry" {
			continue
		}
		l.Nodes++
		if f[2] == "running" {
			l.Running++
		}
	}
	list := []LabInfo{}
	for _, l := range labs {
		switch {
		case l.Running == 0:
			l.State = "stopped"
		case l.Running < l.Nodes:
			l.State = "degraded"
		default:
			l.State = "running"
		}
		list = append(list, *l)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// PrintList writes labs as a table.
func PrintList(w io.Writer, labs []LabInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAB\tNODES\tSTATE\tFILES")
	for _, l := range labs {
		state := l.State
		if state == "degraded" {
			state = fmt.Sprintf("degraded (%d/%d nodes running)", l.Running, l.Nodes)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", l.Name, l.Nodes, state, l.Dir)
	}
	tw.Flush()
}
