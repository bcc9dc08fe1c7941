package viz

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

func TestRenderText(t *testing.T) {
	nodes, services, tasks := loadFixture(t, "node-down")
	m := BuildModel(nodes, services, tasks, fixtureTime)
	for _, width := range []int{40, 80, 132} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			got := RenderText(&m, width)
			for i, line := range strings.Split(got, "\n") {
				if n := utf8.RuneCountInString(line); n > width {
					t.Errorf("line %d is %d wide (> %d): %q", i+1, n, width, line)
				}
			}
			if again := RenderText(&m, width); again != got {
				t.Error("not deterministic")
			}
			goldenfile.Check(t, fmt.Sprintf("testdata/text/node-down-%d.txt", width), []byte(got))
		})
	}
}

func TestRenderTextEdges(t *testing.T) {
	if got := RenderText(nil, 80); got != "no state\n" {
		t.Errorf("nil: %q", got)
	}
	m := Model{Error: "this node is not a swarm manager"}
	if got := RenderText(&m, 0); got != "error: this node is not a swarm manager\n" {
		t.Errorf("error: %q", got)
	}
	m = BuildModel([]swarmapi.Node{node("n1", "a-very-long-node-name-that-does-not-fit", "manager", "ready", "active", nil)}, nil, nil, fixtureTime)
	got := RenderText(&m, 20)
	want := "a-very-long-node-na~\nmanager\nready active\n--------------------\n-\n"
	if got != want {
		t.Errorf("narrow:\n%q\nwant\n%q", got, want)
	}
}
