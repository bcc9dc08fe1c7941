package viz_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
	"github.com/swarmgen/swarmgen/internal/viz"
	"github.com/swarmgen/swarmgen/internal/viz/internal/synthetic"
)

var _ = goldenfile.Update

var benchTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// The synthetic swarm the benchmarks use is what they claim: 20 nodes and
// 200 cards of desired-running tasks (plus a down node's stale ones).
func TestFakeSwarmSize(t *testing.T) {
	for _, step := range []int{0, 20} {
		nodes, services, tasks := synthetic.Swarm(20, 200, step)
		m := viz.BuildModel(nodes, services, tasks, benchTime)
		cards, stale, down := 0, 0, 0
		for _, n := range m.Nodes {
			if n.Down {
				down++
			}
			for _, c := range n.Tasks {
				if c.Stale {
					stale++
				} else {
					cards++
				}
			}
		}
		if len(m.Nodes) != 20 || cards != 200 || len(services) != 12 {
			t.Errorf("step %d: %d nodes, %d live cards, %d services", step, len(m.Nodes), cards, len(services))
		}
		if (step == 20) != (down == 1 && stale > 0) {
			t.Errorf("step %d: %d nodes down, %d stale cards", step, down, stale)
		}
	}
}

func BenchmarkBuildModel200Tasks(b *testing.B) {
	nodes, services, tasks := synthetic.Swarm(20, 200, 20)
	b.ReportAllocs()
	for b.Loop() {
		viz.BuildModel(nodes, services, tasks, benchTime)
	}
}

// What the server does per poll besides reading the engine: encode the
// model (twice: with and without its time, to detect changes).
func BenchmarkStateJSON200Tasks(b *testing.B) {
	nodes, services, tasks := synthetic.Swarm(20, 200, 20)
	m := viz.BuildModel(nodes, services, tasks, benchTime)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(&m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderText200Tasks(b *testing.B) {
	nodes, services, tasks := synthetic.Swarm(20, 200, 20)
	m := viz.BuildModel(nodes, services, tasks, benchTime)
	b.ReportAllocs()
	for b.Loop() {
		viz.RenderText(&m, 160)
	}
}
