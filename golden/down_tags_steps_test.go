package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// down removes the host's tags the lab made to push (REGISTRY_PUSH/NAME:TAG),
// for a lab of containers (teardown.sh) and of machines (lab_down's
// untag_pushed), and only those: never the source image they were made
// from, never a tag the host does not have.
func TestDownRemovesPushTags(t *testing.T) {
	teardown, err := os.ReadFile(filepath.Join("classic", "out", "teardown.sh"))
	if err != nil {
		t.Fatal(err)
	}
	const scenario = `case "$*" in
  "compose version") ;;
  "compose -f docker-compose.yml "* | "context inspect "* | "context rm "*) ;;
  "image inspect -- localhost:5000/yutsuki/echo:latest" | "image inspect -- reg.example.com:5000/app:1") ;;
  "image inspect -- "*) exit 1 ;; # not on this host
  "image rm -- "*) ;;
  *) echo "stub: no answer for: $*" >&2; exit 1 ;;
esac`
	out, calls, err := runScript(t, t.TempDir(), string(teardown), nil, scenario)
	if err != nil {
		t.Fatalf("teardown.sh: %v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkCalls(t, calls, []string{"image rm -- localhost:5000/yutsuki/echo:latest\n"}, []string{"image rm -- localhost:5000/swarmgen/visualizer", "image rm -- yutsuki"})

	out, calls, err = runScript(t, t.TempDir(), scriptPart(t, "machines-registry-address", "PLAN=0\neach IMAGES untag_pushed"), nil, scenario)
	if err != nil {
		t.Fatalf("machines: %v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkCalls(t, calls, []string{"image rm -- reg.example.com:5000/app:1\n"}, nil)
}
