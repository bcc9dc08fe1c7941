package main

import (
	"reflect"
	"testing"

	"github.com/swarmgen/swarmgen/internal/netfault"
)

// The visualizer marks each faulty node with what net show says of it.
func TestNodeFaults(t *testing.T) {
	states := []netfault.State{
		{Node: netfault.Node{Name: "manager01"}, Running: true, Iface: "eth0", HasChain: true, CutFrom: []string{"manager03", "manager02"}},
		{Node: netfault.Node{Name: "manager02"}, Running: true, Iface: "eth0"},
		{Node: netfault.Node{Name: "worker01"}, Running: true, Iface: "eth0", Netem: "delay 200ms", Via: "netem"},
		{Node: netfault.Node{Name: "worker02"}, Running: true, Iface: "eth1", HasChain: true, CutFrom: []string{"manager01"}, HasDelay: true, Netem: "delay 50ms", Via: "delayer"},
		{Node: netfault.Node{Name: "worker03"}},
	}
	want := map[string]string{
		"manager01": "cut off from manager02, manager03",
		"worker01":  "delay 200ms on eth0",
		"worker02":  "cut off from manager01; delay 50ms on eth1",
	}
	if got := nodeFaults(states); !reflect.DeepEqual(got, want) {
		t.Errorf("nodeFaults = %v, want %v", got, want)
	}
	if got := nodeFaults(nil); len(got) != 0 || got == nil {
		t.Errorf("no fault: %#v, want an empty map (nil is never read)", got)
	}
}
