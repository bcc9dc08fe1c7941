package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/model"
)

// render says what the committed files alone need to make the builtin
// images: this test binary is no release, so no registry has their base.
func TestRenderSaysWhenBootstrapAloneIsNotEnough(t *testing.T) {
	freePorts(t)
	dir := t.TempDir()
	if code, _, stderr := swarmgen(t, "init", "--dir", dir); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := swarmgen(t, "render", "-f", filepath.Join(dir, "swarm.yaml"), "--out", dir)
	if code != 0 || !strings.Contains(stderr, "bootstrap.sh alone builds this lab's builtin images") || !strings.Contains(stderr, model.BuiltinBaseDevel) {
		t.Errorf("render: exit %d, stderr %q; want the note on bootstrap.sh alone", code, stderr)
	}
	// a spec without builtin images needs no note
	spec, _ := os.ReadFile(filepath.Join(dir, "swarm.yaml"))
	s := strings.Replace(string(spec), "visualizer: builtin", "visualizer: dockersamples/visualizer:stable", 1)
	s = strings.Replace(s, "  - builtin: echo ", "  - source: yutsuki/echo:latest ", 1)
	if err := os.WriteFile(filepath.Join(dir, "swarm.yaml"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = swarmgen(t, "render", "-f", filepath.Join(dir, "swarm.yaml"), "--out", dir)
	if code != 0 || strings.Contains(stderr, "bootstrap.sh alone") {
		t.Errorf("render without builtin images: exit %d, stderr %q; want no note", code, stderr)
	}
	l := &model.Lab{BuiltinBase: "ghcr.io/swarmgen/swarmgen:v1.2.3", BuiltinBasePublished: true}
	if note := standaloneNote(l); note != "" {
		t.Errorf("a release's lab gets the note %q; want none", note)
	}
}
