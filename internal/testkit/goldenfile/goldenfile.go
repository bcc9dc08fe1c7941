// Package goldenfile compares test output with files under golden/ and
// rewrites them when tests run with -update. Every test package imports
// it, so `go test ./... -update` is accepted by all of them.
package goldenfile

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// Update is set by `go test ./... -update`.
var Update = flag.Bool("update", false, "rewrite golden files with the current output")

// Check compares got with the file at path, or writes it under -update.
func Check(t *testing.T, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./... -update` to create it)", err)
	}
	if string(want) != string(got) {
		diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(string(want)), B: difflib.SplitLines(string(got)),
			FromFile: path + " (golden)", ToFile: "got", Context: 3,
		})
		t.Errorf("output differs from %s (review, then `go test ./... -update`):\n%s", path, diff)
	}
}
