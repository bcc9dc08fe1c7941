package lab

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

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
