package drill

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Expectations of the partition drills: generous, since they say what a
// swarm does, not how fast one machine is (the measures say that).
// Variables only for tests.
var (
	NewLeaderWithin  = 30 * time.Second
	OneLeaderWithin  = 60 * time.Second
	NodeDownWithin   = 60 * time.Second
	RescheduleWithin = 90 * time.Second
	ReadyWithin      = 60 * time.Second
	ReconcileWithin  = 120 * time.Second
)

// leaderPartition cuts the leader off from the other managers (workers
// reach both sides) and measures the election on the majority side, the
// old leader's step-down, and the time until every manager agrees on one
// leader after healing.
func leaderPartition(ctx context.Context, r *run) error {
	if len(r.Managers) < 3 {
		return fmt.Errorf("leader-partition needs 3 or more managers (a majority must remain on one side); this lab has %d", len(r.Managers))
	}
	views := r.ask(ctx, r.Managers)
	old := ""
	for _, m := range r.Managers {
		if l := views[m].leader(); l != "" {
			old = l
			if n := ready(views[m], swarm.NodeRoleManager); n != len(r.Managers) {
				return fmt.Errorf("only %d of %d managers are ready; start from a healthy swarm (swarmgen up)", n, len(r.Managers))
			}
			break
		}
	}
	if old == "" {
		return fmt.Errorf("no manager knows a leader; start from a healthy swarm (swarmgen up)")
	}
	rest := others(r.Managers, old)
	r.event("%s leads; %d managers ready", old, len(r.Managers))
	if _, err := r.Net.Partition(ctx, [][]string{{old}, rest}); err != nil {
		return err
	}
	cut := time.Now()
	r.event("partitioned: %s cut off from %s (workers reach both sides)", old, strings.Join(rest, ", "))
	defer r.healOnExit(ctx)

	elected, stepped := time.Duration(-1), time.Duration(-1)
	newLeader, hung := "", false
	if _, err := r.until(ctx, cut, OneLeaderWithin, func() bool {
		views := r.ask(ctx, append([]string{old}, rest...))
		for _, m := range rest {
			if l := views[m].leader(); l != "" && l != old && elected < 0 {
				elected, newLeader = time.Since(cut), l
				r.event("%s elected leader on the majority side (as %s sees it)", l, m)
			}
		}
		v := views[old]
		switch {
		case stepped >= 0:
		case errors.Is(v.Err, swarmapi.ErrNoLeader):
			stepped = time.Since(cut)
			r.event("%s stepped down: it answers %q", old, strings.TrimPrefix(v.Err.Error(), "Docker engine: "))
		case v.Err == nil && v.leader() != old:
			stepped = time.Since(cut)
			r.event("%s stepped down: it names %q as leader", old, v.leader())
		case v.Err != nil && !hung:
			hung = true // a leader that lost its majority waits for it a while
			r.event("%s does not answer within %s", old, askTimeout)
		}
		return elected >= 0 && stepped >= 0
	}); err != nil {
		return err
	}
	if stepped < 0 {
		r.event("%s still says it leads, %s after the cut", old, OneLeaderWithin)
	}
	if err := r.heal(ctx); err != nil {
		return err
	}
	healed := time.Now()
	one := ""
	agreed, err := r.until(ctx, healed, OneLeaderWithin, func() bool {
		views := r.ask(ctx, r.Managers)
		one = ""
		for _, m := range r.Managers {
			v := views[m]
			l := v.leader()
			if v.Err != nil || l == "" || (one != "" && l != one) {
				return false
			}
			one = l
			for _, n := range r.Managers {
				if node := v.node(n); node == nil || node.ManagerStatus == nil || node.ManagerStatus.Reachability != swarm.ReachabilityReachable {
					return false
				}
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	if agreed >= 0 {
		r.event("one leader again: every manager names %s, all %d reachable", one, len(r.Managers))
	}
	r.within("new_leader", fmt.Sprintf("a new leader on the majority side within %s", NewLeaderWithin), elected, NewLeaderWithin)
	if newLeader != "" {
		r.check("the new leader is on the majority side", contains(rest, newLeader), newLeader)
	}
	r.within("old_leader_stepped_down", fmt.Sprintf("the cut-off leader steps down within %s", OneLeaderWithin), stepped, OneLeaderWithin)
	r.within("one_leader_after_heal", fmt.Sprintf("one leader, named by every manager, within %s of healing", OneLeaderWithin), agreed, OneLeaderWithin)
	return nil
}

// heal ends the drill's network fault, as an event.
func (r *run) heal(ctx context.Context) error {
	if _, err := r.Net.Heal(ctx); err != nil {
		return err
	}
	r.event("healed (swarmgen net heal)")
	return nil
}

// healOnExit heals whatever a drill that stopped half-way left in force.
func (r *run) healOnExit(ctx context.Context) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
	}
	if states, err := r.Net.Read(ctx); err == nil {
		for _, s := range states {
			if s.Faulty() {
				_, _ = r.Net.Heal(ctx)
				return
			}
		}
	}
}

// DrillService is the name of the service a drill deploys, and removes.
const DrillService = "swarmgen-drill"

// workerPartition cuts a worker off from the managers while a service has
// tasks on it, and measures: the node Down, its tasks rescheduled, the old
// tasks still running on the cut-off node; after healing, the node Ready
// and the tasks reconciled with no duplicate left.
func workerPartition(ctx context.Context, r *run) error {
	if len(r.Workers) == 0 {
		return fmt.Errorf("worker-partition needs a worker; this lab has none")
	}
	worker := r.Workers[len(r.Workers)-1]
	replicas := 2 * len(r.Workers)
	var constraints []string
	if len(r.Workers) > 1 {
		constraints = []string{"node.role==worker"} // the others take its tasks
	} else {
		replicas = len(r.Managers) + 1
	}
	svc, err := r.deploy(ctx, replicas, constraints)
	if err != nil {
		return err
	}
	defer r.remove(svc)
	var onWorker int
	if _, err := r.until(ctx, time.Now(), 4*time.Minute, func() bool {
		running, per, err := r.tasks(ctx, svc)
		onWorker = per[worker]
		return err == nil && running == replicas && onWorker > 0
	}); err != nil {
		return err
	}
	if onWorker == 0 {
		return fmt.Errorf("service %s did not get its %d tasks running, with one on %s, within 4m", svc, replicas, worker)
	}
	r.event("service %s: %d tasks running, %d on %s", svc, replicas, onWorker, worker)

	if _, err := r.Net.Partition(ctx, [][]string{{worker}, r.Managers}); err != nil {
		return err
	}
	cut := time.Now()
	r.event("partitioned: %s cut off from the managers (%s)", worker, strings.Join(r.Managers, ", "))
	defer r.healOnExit(ctx)

	down, moved := time.Duration(-1), time.Duration(-1)
	stillThere := -1
	if _, err := r.until(ctx, cut, RescheduleWithin, func() bool {
		v, _, err := r.leaderView(ctx)
		if err != nil {
			return false
		}
		if n := v.node(worker); down < 0 && n != nil && n.Status.State == swarm.NodeStateDown {
			down = time.Since(cut)
			r.event("%s is Down for the managers", worker)
		}
		if moved < 0 {
			running, per, err := r.tasks(ctx, svc)
			if err == nil && running == replicas && per[worker] == 0 {
				moved = time.Since(cut)
				r.event("%d tasks running again, none on %s", running, worker)
				stillThere, err = r.containers(ctx, worker, svc)
				if err == nil {
					r.event("%s still runs %d of the old tasks (it cannot hear the managers)", worker, stillThere)
				}
			}
		}
		return down >= 0 && moved >= 0
	}); err != nil {
		return err
	}
	if err := r.heal(ctx); err != nil {
		return err
	}
	healed := time.Now()
	back, reconciled := time.Duration(-1), time.Duration(-1)
	total := 0
	if _, err := r.until(ctx, healed, ReconcileWithin, func() bool {
		if back < 0 {
			if v, _, err := r.leaderView(ctx); err == nil {
				if n := v.node(worker); n != nil && n.Status.State == swarm.NodeStateReady {
					back = time.Since(healed)
					r.event("%s is Ready again", worker)
				}
			}
		}
		if back >= 0 && reconciled < 0 {
			running, per, err := r.tasks(ctx, svc)
			if err != nil || running != replicas {
				return false
			}
			// what each node really runs, against what the managers want there
			total = 0
			for _, n := range append(append([]string{}, r.Workers...), r.Managers...) {
				c, err := r.containers(ctx, n, svc)
				if err != nil || c != per[n] {
					return false
				}
				total += c
			}
			reconciled = time.Since(healed)
			r.event("reconciled: %d task containers in the lab, as many as the managers want (%d on %s)", total, per[worker], worker)
		}
		return reconciled >= 0
	}); err != nil {
		return err
	}
	r.within("node_down", fmt.Sprintf("%s Down within %s of the cut", worker, NodeDownWithin), down, NodeDownWithin)
	r.within("rescheduled", fmt.Sprintf("its tasks running elsewhere within %s of the cut", RescheduleWithin), moved, RescheduleWithin)
	r.check(fmt.Sprintf("the old tasks keep running on the cut-off %s", worker), stillThere > 0, fmt.Sprintf("%d still running", stillThere))
	r.within("ready_after_heal", fmt.Sprintf("%s Ready within %s of healing", worker, ReadyWithin), back, ReadyWithin)
	r.within("reconciled_after_heal", fmt.Sprintf("no duplicate task left within %s of healing", ReconcileWithin), reconciled, ReconcileWithin)
	return nil
}

// deploy creates the drill's service on the leader and returns its name.
func (r *run) deploy(ctx context.Context, replicas int, constraints []string, more ...string) (string, error) {
	v, c, err := r.leaderView(ctx)
	if err != nil {
		return "", err
	}
	image := r.Image
	if image == "" {
		services, err := c.Services(ctx)
		if err != nil {
			return "", err
		}
		for _, s := range services {
			if s.Spec.Name != DrillService && s.Spec.TaskTemplate.ContainerSpec != nil {
				image = s.Spec.TaskTemplate.ContainerSpec.Image
				break
			}
		}
		if image == "" {
			return "", fmt.Errorf("the drill deploys a service of its own and found no image for it: the swarm runs no service; give one with --image (an image the nodes can pull, e.g. from the lab registry)")
		}
	}
	args := []string{"service", "create", "--detach", "--quiet", "--name", DrillService, "--label", "dev.swarmgen.drill=1"}
	if replicas > 0 {
		args = append(args, "--replicas", fmt.Sprint(replicas))
	}
	for _, c := range constraints {
		args = append(args, "--constraint", c)
	}
	args = append(args, more...)
	leader := r.Containers[v.leader()]
	if _, err := dockercli.On(ctx, leader, append(args, "--", image)...); err != nil {
		return "", err
	}
	if replicas > 0 {
		r.event("deployed service %s: %d replicas of %s", DrillService, replicas, image)
	} else {
		r.event("deployed service %s: %s %s", DrillService, strings.Join(more, " "), image)
	}
	return DrillService, nil
}

// remove removes the drill's service, on whichever manager leads now.
func (r *run) remove(svc string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, _, err := r.leaderView(ctx); err == nil {
		if _, err := dockercli.On(ctx, r.Containers[v.leader()], "service", "rm", svc); err == nil {
			r.event("removed service %s", svc)
		}
	}
}

// tasks counts the service's tasks the managers see running on a ready
// node, and its tasks meant to run per node name.
func (r *run) tasks(ctx context.Context, svc string) (running int, perNode map[string]int, err error) {
	v, c, err := r.leaderView(ctx)
	if err != nil {
		return 0, nil, err
	}
	services, err := c.Services(ctx)
	if err != nil {
		return 0, nil, err
	}
	id := ""
	for _, s := range services {
		if s.Spec.Name == svc {
			id = s.ID
		}
	}
	if id == "" {
		return 0, nil, errors.New("service " + svc + " is gone")
	}
	tasks, err := c.Tasks(ctx, true)
	if err != nil {
		return 0, nil, err
	}
	name := map[string]string{}
	readyNode := map[string]bool{}
	for _, n := range v.Nodes {
		name[n.ID] = n.Description.Hostname
		readyNode[n.ID] = n.Status.State == swarm.NodeStateReady
	}
	perNode = map[string]int{}
	for _, t := range tasks {
		if t.ServiceID != id {
			continue
		}
		if t.Status.State == swarm.TaskStateRunning && readyNode[t.NodeID] {
			running++
		}
		perNode[name[t.NodeID]]++
	}
	return running, perNode, nil
}

// containers counts the service's task containers that really run on a
// node, asking the node's own engine.
func (r *run) containers(ctx context.Context, node, svc string) (int, error) {
	out, err := dockercli.On(ctx, r.Containers[node], "ps", "-q", "--filter", "label=com.docker.swarm.service.name="+svc)
	if err != nil {
		return 0, err
	}
	return len(strings.Fields(out)), nil
}
