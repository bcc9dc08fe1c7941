package lab

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// statusOf says what docker node ls, service ls and service ps would: the
// words status --json has always had.
func TestStatusInDockersWords(t *testing.T) {
	var (
		nodes    []swarmapi.Node
		services []swarmapi.Service
		tasks    []swarmapi.Task
	)
	for data, into := range map[string]any{
		`[{"ID":"w1id","Description":{"Hostname":"worker01"},"Spec":{"Role":"worker","Availability":"active","Labels":{"zone":"a","dev.swarmgen.labels":"zone"}},"Status":{"State":"down"}},
		  {"ID":"m1id","Description":{"Hostname":"manager"},"Spec":{"Role":"manager","Availability":"drain"},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable"}}]`: &nodes,
		`[{"ID":"s2","Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":3}},"TaskTemplate":{"Placement":{"MaxReplicas":2}}},"ServiceStatus":{"RunningTasks":2,"DesiredTasks":3}},
		  {"ID":"s1","Spec":{"Name":"agent","Mode":{"Global":{}}},"ServiceStatus":{"RunningTasks":2,"DesiredTasks":2}}]`: &services,
		`[{"ID":"t3","ServiceID":"s2","NodeID":"m1id","Slot":2,"Status":{"Timestamp":"2026-11-25T04:16:00Z","State":"running"},"DesiredState":"running"},
		  {"ID":"t1","ServiceID":"s2","NodeID":"w1id","Slot":1,"Status":{"Timestamp":"2026-11-25T04:20:30Z","State":"running"},"DesiredState":"running"},
		  {"ID":"t4","ServiceID":"s2","Slot":3,"Status":{"Timestamp":"2026-11-25T04:20:59Z","State":"pending"},"DesiredState":"running"},
		  {"ID":"t2","ServiceID":"s1","NodeID":"m1id","Status":{"Timestamp":"2026-11-25T02:21:00Z","State":"running"},"DesiredState":"running"}]`: &tasks,
	} {
		if err := json.Unmarshal([]byte(data), into); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 25, 4, 21, 0, 0, time.UTC)
	got := statusOf("lab-manager", nodes, services, tasks, now)
	want := &Status{
		Version: StatusVersion,
		Leader:  "lab-manager",
		Nodes: []NodeStatus{
			{ID: "m1id", Name: "manager", Role: "manager", State: "ready", Availability: "drain", Leader: true, Reachable: true},
			{ID: "w1id", Name: "worker01", Role: "worker", State: "down", Availability: "active", Labels: map[string]string{"zone": "a", "dev.swarmgen.labels": "zone"}},
		},
		Services: []ServiceStatus{
			{Name: "agent", Mode: "global", Replicas: "2/2", Desired: 2, Running: 1,
				Tasks: []TaskStatus{{Name: "agent.m1id", Node: "manager", State: "Running 2 hours ago"}}},
			// the task on the down worker counts in Replicas, not in Running
			{Name: "web", Mode: "replicated", Replicas: "2/3 (max 2 per node)", Desired: 3, Running: 1,
				Tasks: []TaskStatus{
					{Name: "web.1", Node: "worker01", State: "Running 30 seconds ago"},
					{Name: "web.2", Node: "manager", State: "Running 5 minutes ago"},
					{Name: "web.3", Node: "", State: "Pending 1 second ago"},
				}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("status:\n%s\nwant:\n%s", g, w)
	}
}
