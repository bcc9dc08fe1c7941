package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func TestInterspersedFlags(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	for _, tc := range []struct{ in, want string }{
		// a flag with a value after the arguments moves before them
		{"swarmgen load myapp:1.0 --archive x.tar other:2", "swarmgen load --archive x.tar myapp:1.0 other:2"},
		{"swarmgen load myapp:1.0 --archive=x.tar", "swarmgen load --archive=x.tar myapp:1.0"},
		// global flags stay; a subcommand's flags move too
		{"swarmgen -f lab.yaml node stop worker01 -f other.yaml", "swarmgen -f lab.yaml node stop -f other.yaml worker01"},
		// a bool flag takes no value: the next word stays an argument
		{"swarmgen load a:1 --allow-outside-spec-dir b:2", "swarmgen load --allow-outside-spec-dir a:1 b:2"},
		// "--" ends the flags
		{"swarmgen load a:1 -- --archive", "swarmgen load a:1 -- --archive"},
		// docker's flags are docker's
		{"swarmgen docker ps -a", "swarmgen docker ps -a"},
		{"swarmgen docker run --rm -it alpine sh", "swarmgen docker run --rm -it alpine sh"},
		// already in order, or nothing to move
		{"swarmgen up --wait 10s", "swarmgen up --wait 10s"},
		{"swarmgen status", "swarmgen status"},
		{"swarmgen", "swarmgen"},
	} {
		got := strings.Join(interspersed(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("%s\n got  %s\n want %s", tc.in, got, tc.want)
		}
	}
}

// The moved flag is parsed: before, --archive after an image was taken
// for an image name; now the archive is looked at (and is missing).
func TestLoadFlagAfterImage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "x.tar")
	code, _, errOut := swarmgen(t, "load", "-f", classicSpec, "-o", t.TempDir(), "myapp:1.0", "--archive", missing)
	if code != exitUser || !strings.Contains(errOut, "archive "+missing+" does not exist") {
		t.Errorf("exit %d, stderr %q; want the missing archive reported", code, errOut)
	}
}
