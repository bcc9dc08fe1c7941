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

// LabInfo is one lab found on this host by its containers' labels, or a
// lab of machines by its record (its docker context), as `swarmgen list
// --json` prints it.
type LabInfo struct {
	Name    string `json:"name"`    // compose project
	Kind    string `json:"kind"`    // KindContainers or KindMachines
	Nodes   int    `json:"nodes"`   // node containers (the registry is not counted); 0 for machines
	Running int    `json:"running"` // of them, running
	// running, stopped or degraded (some nodes stopped); unknown for a lab
	// of machines, which list does not reach (status --lab NAME does)
	State string `json:"state"`
	Dir   string `json:"dir"` // where its generated files are
	// Endpoint is, for a lab of machines, the Docker endpoint its docker
	// context reaches: its leading manager machine (Leader) at the last up
	Endpoint string `json:"endpoint"`
	Leader   string `json:"-"`
}

// The kinds of lab list shows.
const (
	KindContainers = "containers"
	KindMachines   = "machines"
)

// List finds every lab on this host: labs of containers from their
// ownlabels.Lab label, labs of machines from their records (the host's
// docker contexts that record one). No machine is reached.
func List(ctx context.Context) ([]LabInfo, error) {
	// the two reads at once: each is a docker CLI run (up asks before anything)
	type recordsRead struct {
		records []machineRecord
		err     error
	}
	read := make(chan recordsRead, 1)
	go func() {
		records, err := machineRecords(ctx)
		read <- recordsRead{records, err}
	}()
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
			l = &LabInfo{Name: f[0], Kind: KindContainers, Dir: f[3]}
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
	r := <-read
	if r.err != nil {
		return nil, r.err
	}
	for _, r := range r.records {
		if labs[r.Lab] != nil {
			continue // containers of that name: Find takes them first too
		}
		list = append(list, LabInfo{Name: r.Lab, Kind: KindMachines, State: "unknown", Dir: r.Dir, Endpoint: r.Endpoint, Leader: r.Leader})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// PrintList writes labs as a table.
func PrintList(w io.Writer, labs []LabInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAB\tNODES\tSTATE\tFILES")
	for _, l := range labs {
		nodes, state := fmt.Sprint(l.Nodes), l.State
		switch {
		case l.Kind == KindMachines:
			// not reached: where it is, not how it is
			nodes, state = "-", fmt.Sprintf("machines (%s at %s)", l.Leader, l.Endpoint)
		case state == "degraded":
			state = fmt.Sprintf("degraded (%d/%d nodes running)", l.Running, l.Nodes)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Name, nodes, state, l.Dir)
	}
	tw.Flush()
}
