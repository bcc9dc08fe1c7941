package drill

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/netfault"
)

// SlowDelay is the delay slow-overlay puts on a worker, and MinSlowdown
// how much of it the round trip must show (generous: the delay is a floor).
var (
	SlowDelay   = 200 * time.Millisecond
	MinSlowdown = 150 * time.Millisecond
)

// DrillNetwork is the overlay network slow-overlay creates, and removes.
const DrillNetwork = "swarmgen-drill"

// slowOverlay puts SlowDelay on a worker's lab link and measures the round
// trip between two tasks over an overlay network, one on that worker and
// one on a manager, before, during and after.
func slowOverlay(ctx context.Context, r *run) error {
	if len(r.Workers) == 0 {
		return fmt.Errorf("slow-overlay needs a worker; this lab has none")
	}
	if r.Net.Binary == nil {
		return fmt.Errorf("slow-overlay measures from inside a node with a static swarmgen, and none was given")
	}
	slow, from := r.Workers[len(r.Workers)-1], r.Managers[0]
	v, _, err := r.leaderView(ctx)
	if err != nil {
		return err
	}
	leader := r.Containers[v.leader()]
	if _, err := dockercli.On(ctx, leader, "network", "create", "--driver", "overlay", "--label", "dev.swarmgen.drill=1", DrillNetwork); err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if v, _, err := r.leaderView(ctx); err == nil {
			_, _ = dockercli.On(ctx, r.Containers[v.leader()], "network", "rm", DrillNetwork)
		}
	}()
	r.event("created overlay network %s", DrillNetwork)
	if _, err := r.deploy(ctx, 0, nil, "--mode", "global", "--network", DrillNetwork); err != nil {
		return err
	}
	defer r.remove(DrillService)
	var pid, ip string
	if _, err := r.until(ctx, time.Now(), 4*time.Minute, func() bool {
		pid, ip = r.taskPID(ctx, from), r.taskIP(ctx, slow)
		return pid != "" && ip != ""
	}); err != nil {
		return err
	}
	if pid == "" || ip == "" {
		return fmt.Errorf("no task of %s ran on both %s and %s within 4m", DrillService, from, slow)
	}
	r.event("tasks on %s and %s; %s's is %s on %s", from, slow, slow, ip, DrillNetwork)
	bin, err := r.Net.Binary()
	if err != nil {
		return err
	}
	fromCtr := r.Containers[from]
	if _, err := dockercli.Run(ctx, "exec", fromCtr, "mkdir", "-p", netfault.DelayerDir); err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if states, err := r.Net.Read(ctx); err == nil {
			for _, s := range states {
				if s.Name == from && s.HasDelay {
					return // the delayer of a fault on from lives there too
				}
			}
		}
		_, _ = dockercli.Run(ctx, "exec", fromCtr, "rm", "-rf", netfault.DelayerDir)
	}()
	if _, err := dockercli.Run(ctx, "cp", bin, fromCtr+":"+netfault.DelayerDir+"/rtt"); err != nil {
		return err
	}
	measure := func(when string) (time.Duration, error) {
		out, err := dockercli.Run(ctx, "exec", fromCtr, netfault.DelayerDir+"/rtt", "net", "rtt", "--pid", pid, "--to", ip+":1", "--count", "5")
		if err != nil {
			return 0, err
		}
		var ds []time.Duration
		for _, f := range strings.Fields(out) {
			us, err := strconv.ParseInt(f, 10, 64)
			if err == nil {
				ds = append(ds, time.Duration(us)*time.Microsecond)
			}
		}
		if len(ds) == 0 {
			return 0, fmt.Errorf("no round trip measured")
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		m := ds[len(ds)/2]
		r.event("round trip %s -> %s over %s, %s: %s (median of %d)", from, slow, DrillNetwork, when, m.Round(100*time.Microsecond), len(ds))
		return m, nil
	}
	before, err := measure("before")
	if err != nil {
		return err
	}
	s, err := r.Net.Delay(ctx, slow, netfault.Netem{Delay: SlowDelay})
	if err != nil {
		return err
	}
	defer r.healOnExit(ctx)
	r.event("%s's lab link slowed: %s (%s)", slow, s.Netem, s.Via)
	during, err := measure("during")
	if err != nil {
		return err
	}
	if err := r.heal(ctx); err != nil {
		return err
	}
	after, err := measure("after")
	if err != nil {
		return err
	}
	r.rep.Measures["rtt_before"], r.rep.Measures["rtt_during"], r.rep.Measures["rtt_after"] = before.Seconds(), during.Seconds(), after.Seconds()
	r.check(fmt.Sprintf("the round trip grows by at least %s with %s on %s", MinSlowdown, SlowDelay, slow), during-before >= MinSlowdown,
		fmt.Sprintf("%s -> %s", before.Round(100*time.Microsecond), during.Round(100*time.Microsecond)))
	r.check("the round trip is back after healing", after < during-MinSlowdown/2, after.Round(100*time.Microsecond).String())
	return nil
}

// taskPID is the pid, in node's namespace, of a running task container of
// the drill's service there; "" when none runs.
func (r *run) taskPID(ctx context.Context, node string) string {
	id := r.task(ctx, node)
	if id == "" {
		return ""
	}
	out, err := dockercli.On(ctx, r.Containers[node], "inspect", "--format", "{{.State.Pid}}", id)
	if err != nil || strings.TrimSpace(out) == "0" {
		return ""
	}
	return strings.TrimSpace(out)
}

// taskIP is the address on DrillNetwork of the drill's task on node.
func (r *run) taskIP(ctx context.Context, node string) string {
	id := r.task(ctx, node)
	if id == "" {
		return ""
	}
	out, err := dockercli.On(ctx, r.Containers[node], "inspect", "--format", `{{with index .NetworkSettings.Networks "`+DrillNetwork+`"}}{{.IPAddress}}{{end}}`, id)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func (r *run) task(ctx context.Context, node string) string {
	out, err := dockercli.On(ctx, r.Containers[node], "ps", "-q", "--filter", "label=com.docker.swarm.service.name="+DrillService)
	if err != nil {
		return ""
	}
	ids := strings.Fields(out)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}
