package viz

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// swarmOf is a model of nodes given as "name:role:state[:reachability][:leader]".
func swarmOf(at time.Time, nodes ...string) *Model {
	m := &Model{Time: at}
	for _, spec := range nodes {
		f := strings.Split(spec, ":")
		n := NodeColumn{ID: "id-" + f[0], Name: f[0], Role: f[1], State: f[2], Availability: "active"}
		n.Down = n.State != "ready"
		if n.Down {
			n.Message = "heartbeat failure"
		}
		if len(f) > 3 {
			n.Reachability = f[3]
		}
		n.Leader = len(f) > 4 && f[4] == "leader"
		m.Nodes = append(m.Nodes, n)
	}
	return m
}

// texts is the events as "kind: text [nodes]", one a line.
func texts(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%s: %s", e.Kind, e.Text)
		if len(e.Nodes) > 0 {
			fmt.Fprintf(&b, " %v", e.Nodes)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// A leader-partition as a host visualizer reading through the managers
// sees it: each step's read, and the events it must give.
func TestDeriveEventsLeaderPartition(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	healthy := swarmOf(t0, "manager01:manager:ready:reachable:leader", "manager02:manager:ready:reachable", "manager03:manager:ready:reachable", "worker01:worker:ready")
	steps := []struct {
		name string
		cur  *Model
		want string
	}{
		{"first read", healthy, "watch: watching through manager01: manager01 leads; 4 nodes, 4 ready\n"},
		{"nothing changed", swarmOf(t0.Add(time.Second), "manager01:manager:ready:reachable:leader", "manager02:manager:ready:reachable", "manager03:manager:ready:reachable", "worker01:worker:ready"), ""},
		{"cut off: the old leader sees the others unreachable",
			swarmOf(t0.Add(5*time.Second), "manager01:manager:ready:reachable:leader", "manager02:manager:ready:unreachable", "manager03:manager:ready:unreachable", "worker01:worker:ready"),
			"unreachable: manager02, manager03 are unreachable for the leader (raft) [manager02 manager03]\n"},
		{"the old leader knows none", &Model{Time: t0.Add(20 * time.Second), Error: "manager01: the swarm does not have a leader"},
			"error: cannot read the swarm: manager01: the swarm does not have a leader\n"},
		{"still none: no second event", &Model{Time: t0.Add(21 * time.Second), Error: "manager01: the swarm does not have a leader"}, ""},
		{"the majority answers through manager02",
			withVia(swarmOf(t0.Add(22*time.Second), "manager01:manager:down:unreachable", "manager02:manager:ready:reachable:leader", "manager03:manager:ready:reachable", "worker01:worker:ready"), "manager02"),
			"answers: the swarm answers again through manager02\n" +
				"via: now reading the swarm through manager02 (it knows a leader)\n" +
				"leader: leader changed from manager01 to manager02 [manager01 manager02]\n" +
				"down: manager01 is Down for the managers (heartbeat failure) [manager01]\n" +
				"unreachable: manager01 is unreachable for the leader (raft) [manager01]\n" +
				"reachable: manager02, manager03 are reachable again for the leader [manager02 manager03]\n"},
		{"healed",
			withVia(swarmOf(t0.Add(40*time.Second), "manager01:manager:ready:reachable", "manager02:manager:ready:reachable:leader", "manager03:manager:ready:reachable", "worker01:worker:ready"), "manager02"),
			"ready: manager01 is Ready again [manager01]\n" +
				"reachable: manager01 is reachable again for the leader [manager01]\n"},
	}
	// prev as the server keeps it: a failed read keeps the last nodes
	var prev *Model
	for _, s := range steps {
		if s.cur.Via == "" && s.cur.Error == "" {
			s.cur.Via = "manager01"
		}
		evs := DeriveEvents(prev, s.cur)
		if got := texts(evs); got != s.want {
			t.Errorf("%s: events\n%s\nwant\n%s", s.name, got, s.want)
		}
		for _, e := range evs {
			if !e.Time.Equal(s.cur.Time) {
				t.Errorf("%s: event at %s, want the read's time %s", s.name, e.Time, s.cur.Time)
			}
		}
		if s.cur.Error != "" {
			c := *prev
			c.Error = s.cur.Error
			prev = &c
		} else {
			prev = s.cur
		}
	}
}

func withVia(m *Model, via string) *Model { m.Via = via; return m }

// A worker cut off, and a manager that goes, the node changes one by one;
// many nodes at once are one event that names a few.
func TestDeriveEventsNodes(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	base := swarmOf(t0, "manager:manager:ready:reachable:leader", "worker01:worker:ready", "worker02:worker:ready")
	for _, tc := range []struct {
		name string
		cur  *Model
		want string
	}{
		{"worker down", swarmOf(t0, "manager:manager:ready:reachable:leader", "worker01:worker:ready", "worker02:worker:down"),
			"down: worker02 is Down for the managers (heartbeat failure) [worker02]\n"},
		{"leader gone from the list's marks", swarmOf(t0, "manager:manager:ready:reachable", "worker01:worker:ready", "worker02:worker:ready"),
			"no-leader: no node is marked leader (manager was) [manager]\n"},
		{"joined and left", swarmOf(t0, "manager:manager:ready:reachable:leader", "worker01:worker:ready", "worker03:worker:ready"),
			"joined: worker03 (worker) joined the swarm [worker03]\nleft: worker02 left the swarm [worker02]\n"},
		{"promoted", swarmOf(t0, "manager:manager:ready:reachable:leader", "worker01:manager:ready:reachable", "worker02:worker:ready"),
			"role: worker01 is now a manager\n"},
	} {
		if got := texts(DeriveEvents(base, tc.cur)); got != tc.want {
			t.Errorf("%s: events\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}

	var specs, downSpecs []string
	for i := 1; i <= 40; i++ {
		specs = append(specs, fmt.Sprintf("worker%02d:worker:ready", i))
		downSpecs = append(downSpecs, fmt.Sprintf("worker%02d:worker:down", i))
	}
	evs := DeriveEvents(swarmOf(t0, specs...), swarmOf(t0, downSpecs...))
	if got, want := texts(evs[:1]), "down: worker01, worker02, worker03, worker04, worker05 and 35 more are Down for the managers (heartbeat failure)"; !strings.HasPrefix(got, want) || len(evs) != 1 || len(evs[0].Nodes) != 40 {
		t.Errorf("40 nodes down: %d events\n%s\nwant one: %s, naming all 40", len(evs), got, want)
	}
}

func TestFaultEvents(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	cut := map[string]string{"worker01": "cut off from manager", "manager": "cut off from worker01"}
	for _, tc := range []struct {
		name      string
		prev, cur map[string]string
		want      string
	}{
		{"none at first", nil, map[string]string{}, ""},
		{"in force at first", nil, cut, "fault: network fault on manager: cut off from worker01 [manager]\nfault: network fault on worker01: cut off from manager [worker01]\n"},
		{"the same", cut, map[string]string{"worker01": "cut off from manager", "manager": "cut off from worker01"}, ""},
		{"healed", cut, map[string]string{}, "healed: network faults healed: none in force (was on manager, worker01) [manager worker01]\n"},
		{"one changes, one goes", cut, map[string]string{"worker01": "delay 200ms on eth0"},
			"fault: network fault on worker01: delay 200ms on eth0 [worker01]\nhealed: network fault healed on manager [manager]\n"},
	} {
		if got := texts(FaultEvents(tc.prev, tc.cur, at)); got != tc.want {
			t.Errorf("%s: events\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}

func TestTimelineKeepsTheNewest(t *testing.T) {
	tl := timeline{max: 3}
	for i := range 10 {
		tl.add(Event{Text: fmt.Sprint(i)})
	}
	if got := texts(tl.events); got != ": 7\n: 8\n: 9\n" || cap(tl.events) > 10 {
		t.Errorf("kept %q (cap %d)", got, cap(tl.events))
	}
}

// modelSource answers with a fixed model or error, and counts its reads.
type modelSource struct {
	m     *Model
	err   error
	hang  bool
	calls atomic.Int64
}

func (s *modelSource) Snapshot(ctx context.Context) (*Model, error) {
	s.calls.Add(1)
	if s.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if s.err != nil {
		return nil, s.err
	}
	c := *s.m
	return &c, nil
}

// The failover source stays with the manager that answers with a leader,
// and moves to another only when it fails or knows none.
func TestFailover(t *testing.T) {
	t0 := time.Now()
	leads := swarmOf(t0, "manager01:manager:ready:reachable:leader", "manager02:manager:ready:reachable")
	m1 := &modelSource{m: leads}
	m2 := &modelSource{m: swarmOf(t0, "manager01:manager:down:unreachable", "manager02:manager:ready:reachable:leader")}
	m3 := &modelSource{err: errors.New("container is not running")}
	f := &Failover{Names: []string{"manager01", "manager02", "manager03"}, Sources: []Source{m1, m2, m3}, Try: 50 * time.Millisecond}
	read := func() (*Model, error) { return f.Snapshot(context.Background()) }

	if m, err := read(); err != nil || m.Via != "manager01" || m2.calls.Load() != 0 {
		t.Fatalf("healthy: via %v, %v; manager02 asked %d times", m.Via, err, m2.calls.Load())
	}
	m1.hang = true // cut off: it does not answer
	if m, err := read(); err != nil || m.Via != "manager02" || leaderOf(m) != "manager02" {
		t.Fatalf("manager01 silent: %+v, %v", m, err)
	}
	m1.hang, m1.err = false, errors.New("the swarm does not have a leader")
	before := m1.calls.Load()
	if m, err := read(); err != nil || m.Via != "manager02" || m1.calls.Load() != before {
		t.Errorf("manager02 answers: via %s, %v; manager01 asked again", m.Via, err)
	}
	// none knows a leader: the current one's answer, named
	m2.err = errors.New("the swarm does not have a leader")
	if _, err := read(); err == nil || err.Error() != "manager02: the swarm does not have a leader" {
		t.Errorf("no leader anywhere: %v", err)
	}
	if m3.calls.Load() == 0 {
		t.Error("manager03 was never asked")
	}
}
