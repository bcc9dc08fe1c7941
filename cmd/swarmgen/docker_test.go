package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Help for the passthrough is swarmgen's, says what it talks to and how
// files are seen, and reads no spec (the one given does not exist).
func TestDockerHelpReadsNoSpec(t *testing.T) {
	t.Setenv(specEnv, filepath.Join(t.TempDir(), "missing.yaml"))
	for _, args := range [][]string{
		{"help", "docker"},
		{"docker", "--help"},
		{"docker", "-h"},
		{"-f", "missing.yaml", "docker", "--help"},
		{"docker", "-f", "missing.yaml"},
	} {
		code, out, stderr := swarmgen(t, args...)
		if code != 0 || stderr != "" {
			t.Errorf("swarmgen %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
		}
		for _, want := range []string{"Docker endpoint", "leads", "files are the host's own", "docker_endpoint: false", "docker exec", "no other host path is visible"} {
			if !strings.Contains(out, want) {
				t.Errorf("swarmgen %s: help lacks %q:\n%s", strings.Join(args, " "), want, out)
			}
		}
	}
}

// An unknown command or help topic is the user's error (exit 1), not
// urfave/cli's exit 3.
func TestUnknownCommandExitsOne(t *testing.T) {
	for _, args := range [][]string{{"nosuch"}, {"help", "nosuch"}} {
		if code, _, stderr := swarmgen(t, args...); code != exitUser || !strings.Contains(stderr, `no command "nosuch"`) {
			t.Errorf("swarmgen %s: exit %d %q", strings.Join(args, " "), code, stderr)
		}
	}
}
