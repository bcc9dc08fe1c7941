package lab

import (
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/goldenfile"
)

var _ = goldenfile.Update // every test package accepts -update

func TestLabelsHideSwarmgensOwn(t *testing.T) {
	got := labels(map[string]string{"zone": "edge", "disk": "ssd", "dev.swarmgen.labels": "zone,disk"})
	if got != "disk=ssd,zone=edge" {
		t.Errorf("labels = %q, want disk=ssd,zone=edge", got)
	}
}
