package main

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// A drill's fault records run in the order made, without holding the drill
// up (the swarm may wait for a leader), and all are done once it ends.
func TestInOrder(t *testing.T) {
	release := make(chan struct{})
	var got []string
	rec, wait := inOrder(func(ctx context.Context, labels map[string]map[string]string) {
		<-release // the swarm has no leader yet
		if ctx.Err() != nil {
			got = append(got, "cancelled")
			return
		}
		got = append(got, labels["worker01"]["cut"])
	})
	ctx, cancel := context.WithCancel(context.Background())
	for i := range 3 {
		rec(ctx, map[string]map[string]string{"worker01": {"cut": fmt.Sprint(i)}})
	}
	cancel() // a drill's context may end before its records are written
	close(release)
	wait()
	if want := []string{"0", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("records %q, want %q", got, want)
	}
	wait() // twice: no panic
}
