// Package builtinimage writes the build context of the images swarmgen
// carries itself (the builtin visualizer, images[].builtin): FROM scratch
// Dockerfiles and a static Linux swarmgen binary for the engine's
// architecture, which it finds (or has the Go toolchain build) and checks
// by reading the ELF headers.
package builtinimage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/generator/render"
)

// Prepare writes the build context of the images swarmgen carries
// (the builtin visualizer, images[].builtin) under dir: their Dockerfiles,
// FROM scratch, and binary, the static Linux swarmgen that Resolve found.
func Prepare(dir, binary string) error {
	ctx := filepath.Join(dir, filepath.FromSlash(model.BuiltinContext))
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		return err
	}
	// the context is a build product, never something to commit
	if err := output.WriteAtomic(filepath.Join(dir, ".swarmgen", ".gitignore"), []byte("*\n"), 0o644); err != nil {
		return err
	}
	for name, data := range render.BuiltinDockerfiles() {
		if err := writeIfChanged(filepath.Join(ctx, name), data, 0o644); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	return writeIfChanged(filepath.Join(ctx, "swarmgen"), data, 0o755)
}

// sourceRoot finds swarmgen's module root from dir.
func sourceRoot(dir string) string {
	for dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if strings.HasPrefix(string(data), "module "+Module+"\n") {
				return dir
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

// writeIfChanged keeps the file's bytes when they are the same, so the
// image is rebuilt identically and its push is skipped.
func writeIfChanged(path string, data []byte, mode os.FileMode) error {
	old, err := output.ReadOwn(path) // the output directory's: never a link followed
	var notOwn *output.NotOwnError
	switch {
	case errors.As(err, &notOwn):
		return err
	case err == nil && bytes.Equal(old, data):
		return nil
	}
	return output.WriteAtomic(path, data, mode)
}
