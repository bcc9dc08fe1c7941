package main

import (
	"strings"
	"testing"
)

// swarmgen node: -f before the verb or after it; an unknown node is the
// user's error, with the lab's nodes listed, before any docker command.
func TestNodeUnknownName(t *testing.T) {
	for _, args := range [][]string{
		{"node", "-f", "../../examples/classic/swarm.yaml", "stop", "worker9"},
		{"node", "stop", "-f", "../../examples/classic/swarm.yaml", "worker9"},
	} {
		code, _, stderr := swarmgen(t, args...)
		if code != exitUser || !strings.Contains(stderr, `no node "worker9" in this lab; its nodes: manager, worker01, worker02, worker03`) {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if code, _, stderr := swarmgen(t, "node", "kill", "-f", "../../examples/classic/swarm.yaml"); code != exitUser || !strings.Contains(stderr, "takes one node name") {
		t.Errorf("no name: exit %d: %s", code, stderr)
	}
}

// swarmgen load refuses what is not an image reference before running
// anything, and needs an image or an archive.
func TestLoadRefusesBadNames(t *testing.T) {
	out := t.TempDir()
	for arg, want := range map[string]string{
		"-x":                                    `"-x" starts with '-'`,
		"my app":                                `"my app" holds a space`,
		"UPPER:1":                               `"UPPER:1" is not a valid image reference`,
		"app@sha256:" + strings.Repeat("a", 64): "names an image by digest",
	} {
		code, _, stderr := swarmgen(t, "load", "-f", "../../examples/classic/swarm.yaml", "-o", out, "--", arg)
		if code != exitUser || !strings.Contains(stderr, want) {
			t.Errorf("load %q: exit %d: %s (want %q)", arg, code, stderr, want)
		}
	}
	if code, _, stderr := swarmgen(t, "load", "-f", "../../examples/classic/swarm.yaml", "-o", out); code != exitUser || !strings.Contains(stderr, "give the images to load") {
		t.Errorf("load without images: exit %d: %s", code, stderr)
	}
	if code, _, stderr := swarmgen(t, "load", "-f", "../../examples/classic/swarm.yaml", "-o", out, "--archive", out); code != exitUser || !strings.Contains(stderr, "is not a regular file") {
		t.Errorf("load --archive DIR: exit %d: %s", code, stderr)
	}
}
