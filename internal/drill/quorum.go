package drill

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Expectations of quorum-loss.
var (
	QuorumLostWithin = 60 * time.Second
	RestoredWithin   = 2 * time.Minute
)

// quorumLoss stops a majority of the managers (two of three), shows that
// nothing can be changed (a node update on the survivor, and swarmgen
// plan, refuse), starts them again and measures the swarm restored with
// the same node IDs: no recover needed.
func quorumLoss(ctx context.Context, r *run) error {
	if len(r.Managers) < 3 {
		return fmt.Errorf("quorum-loss needs 3 or more managers (with one, losing it is losing the swarm); this lab has %d", len(r.Managers))
	}
	v, _, err := r.leaderView(ctx)
	if err != nil {
		return fmt.Errorf("start from a healthy swarm (swarmgen up): %v", err)
	}
	if n := ready(v, swarm.NodeRoleManager); n != len(r.Managers) {
		return fmt.Errorf("only %d of %d managers are ready; start from a healthy swarm (swarmgen up)", n, len(r.Managers))
	}
	before := managerIDs(v)
	leader := v.leader()
	// the leader and others up to a majority stop; the last one survives
	stop := []string{leader}
	for _, m := range r.Managers {
		if len(stop) < len(r.Managers)/2+1 && m != leader {
			stop = append(stop, m)
		}
	}
	survivor := others(r.Managers, stop...)[0]
	r.event("%s leads; %d managers ready", leader, len(r.Managers))
	var containers []string
	for _, m := range stop {
		containers = append(containers, r.Containers[m])
	}
	if _, err := dockercli.Run(ctx, append([]string{"stop", "--"}, containers...)...); err != nil {
		return err
	}
	stopped := time.Now()
	r.event("stopped %s: %d of %d managers up, a majority is %d", strings.Join(stop, ", "), len(r.Managers)-len(stop), len(r.Managers), len(r.Managers)/2+1)
	defer func() { // a drill stopped half-way starts them again
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = dockercli.Run(ctx, append([]string{"start", "--"}, containers...)...)
	}()

	said := ""
	lost, err := r.until(ctx, stopped, QuorumLostWithin, func() bool {
		v := r.ask(ctx, []string{survivor})[survivor]
		if errors.Is(v.Err, swarmapi.ErrNoLeader) {
			said = v.Err.Error()
			return true
		}
		return false
	})
	if err != nil {
		return err
	}
	if lost >= 0 {
		r.event("%s knows no leader: %s", survivor, said)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	_, uerr := dockercli.On(cctx, r.Containers[survivor], "node", "update", "--label-add", "dev.swarmgen.drill=quorum-loss", survivor)
	cancel()
	refusal := "it was applied"
	if uerr != nil {
		refusal = lastLine(uerr.Error())
		if _, msg, ok := strings.Cut(refusal, "Error response from daemon: "); ok {
			refusal = msg // the engine's words, without the command line
		}
		r.event("a change is refused: docker node update on %s: %s", survivor, refusal)
	} else {
		r.event("a change was applied on %s without a majority", survivor)
	}
	planSaid, planRefused := "", false
	if r.Plan != nil {
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		out, perr := r.Plan(pctx)
		cancel()
		planSaid = strings.TrimSpace(out)
		lower := strings.ToLower(planSaid)
		planRefused = perr != nil && (strings.Contains(lower, "quorum") || strings.Contains(lower, "leader"))
		r.event("swarmgen plan says: %s", lastLine(planSaid))
	}

	if _, err := dockercli.Run(ctx, append([]string{"start", "--"}, containers...)...); err != nil {
		return err
	}
	started := time.Now()
	r.event("started %s again", strings.Join(stop, ", "))
	var after view
	restored, err := r.until(ctx, started, RestoredWithin, func() bool {
		v, _, err := r.leaderView(ctx)
		if err != nil || ready(v, swarm.NodeRoleManager) != len(r.Managers) {
			return false
		}
		for _, n := range v.Nodes {
			if n.ManagerStatus != nil && n.ManagerStatus.Reachability != swarm.ReachabilityReachable {
				return false
			}
		}
		after = v
		return true
	})
	if err != nil {
		return err
	}
	if restored >= 0 {
		r.event("restored: %s leads, %d managers ready and reachable", after.leader(), len(r.Managers))
	}
	r.within("quorum_lost", fmt.Sprintf("the survivor reports no leader within %s", QuorumLostWithin), lost, QuorumLostWithin)
	r.check("a change without a majority is refused", uerr != nil, refusal)
	if r.Plan != nil {
		r.check("swarmgen plan refuses, saying there is no leader or quorum", planRefused, lastLine(planSaid))
	}
	r.within("restored", fmt.Sprintf("the swarm restored within %s of starting them", RestoredWithin), restored, RestoredWithin)
	if restored >= 0 {
		same := managerIDs(after) == before
		r.check("the same swarm (same manager node IDs): no recover needed", same, managerIDs(after))
	}
	return nil
}

func managerIDs(v view) string {
	var ids []string
	for _, n := range v.Nodes {
		if n.Spec.Role == swarm.NodeRoleManager {
			ids = append(ids, n.Description.Hostname+"="+n.ID)
		}
	}
	sort.Strings(ids)
	return strings.Join(ids, " ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
