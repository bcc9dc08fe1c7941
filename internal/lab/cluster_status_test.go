package lab

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
)

// Leadership can move between status's reads: m1 leads when asked for the
// nodes, then hands the leadership to m2 (demoted, as a roll-out does) and
// answers the services as a worker. status reads again and shows m2 leading.
func TestStatusFollowsALeaderThatMoved(t *testing.T) {
	const (
		m1Leads = `[{"ID":"a","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}},
			{"ID":"b","Description":{"Hostname":"m2"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Reachability":"reachable"}}]`
		m2Leads = `[{"ID":"a","Description":{"Hostname":"m1"},"Spec":{"Role":"worker"},"Status":{"State":"ready"}},
			{"ID":"b","Description":{"Hostname":"m2"},"Spec":{"Role":"manager"},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}}]`
		notManager = `{"message":"This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."}`
	)
	var demoted atomic.Bool
	engine := func(name string) fakeengine.Answer {
		return func(req string) (int, string) {
			path, _, _ := strings.Cut(req, "?")
			switch {
			case name == "m1" && demoted.Load():
				return http.StatusServiceUnavailable, notManager
			case path == "GET /nodes" && name == "m1":
				return 0, m1Leads
			case path == "GET /nodes":
				return 0, m2Leads
			case path == "GET /services" && name == "m1":
				demoted.Store(true) // between the reads
				return http.StatusServiceUnavailable, notManager
			case path == "GET /services":
				return 0, `[]`
			}
			return fakeengine.NotFound()
		}
	}
	socks := map[string]string{}
	for _, n := range []string{"m1", "m2"} {
		_, socks["lab-"+n] = fakeengine.Serve(t, engine(n))
	}
	cl := Cluster{
		Managers:   []string{"lab-m1", "lab-m2"},
		Containers: map[string]string{"m1": "lab-m1", "m2": "lab-m2"},
		Dial:       func(ctr string) swarmapi.Dialer { return swarmapi.UnixDialer(socks[ctr]) },
	}
	st, err := cl.Status(context.Background())
	if err != nil {
		t.Fatalf("status while the leadership moved: %v", err)
	}
	if st.Leader != "lab-m2" {
		t.Errorf("leader %q, want lab-m2", st.Leader)
	}
}

// LabelNodes writes through the leader, and a swarm that has no leader for
// a while (a partition just healed) is asked again until it has one. Only
// the nodes named get an update, with the labels they had kept.
func TestLabelNodesWaitsForALeader(t *testing.T) {
	const nodes = `[{"ID":"a","Version":{"Index":7},"Description":{"Hostname":"m1"},"Spec":{"Role":"manager","Labels":{"zone":"x"}},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}},
		{"ID":"b","Version":{"Index":8},"Description":{"Hostname":"w1"},"Spec":{"Role":"worker"},"Status":{"State":"ready"}}]`
	var asked atomic.Int32
	var updates []string
	e, sock := fakeengine.Serve(t, func(req string) (int, string) {
		path, _, _ := strings.Cut(req, "?")
		switch {
		case path == "GET /nodes" && asked.Add(1) < 3:
			return http.StatusServiceUnavailable, `{"message":"rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online."}`
		case path == "GET /nodes":
			return 0, nodes
		case strings.HasPrefix(path, "POST /nodes/"):
			updates = append(updates, req)
			return 0, ""
		}
		return fakeengine.NotFound()
	})
	cl := Cluster{
		Managers:   []string{"lab-m1"},
		Containers: map[string]string{"m1": "lab-m1", "w1": "lab-w1"},
		Dial:       func(string) swarmapi.Dialer { return swarmapi.UnixDialer(sock) },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := cl.LabelNodes(ctx, map[string]map[string]string{"m1": {"dev.swarmgen.net.cut": "w1", "dev.swarmgen.net.delay": ""}})
	if err != nil || asked.Load() != 3 || len(updates) != 1 || !strings.HasPrefix(updates[0], "POST /nodes/a/update?version=7") {
		t.Fatalf("err %v, %d node lists, updates %q", err, asked.Load(), updates)
	}
	if body := e.Bodies()[0]; !strings.Contains(body, `"Labels":{"dev.swarmgen.net.cut":"w1","zone":"x"}`) {
		t.Errorf("update body %s", body)
	}
	// labels as they are already: no update
	if err := cl.LabelNodes(ctx, map[string]map[string]string{"m1": {"zone": "x", "gone": ""}, "w1": {"gone": ""}}); err != nil || len(updates) != 1 {
		t.Errorf("labels already so: err %v, updates %q", err, updates)
	}
}
