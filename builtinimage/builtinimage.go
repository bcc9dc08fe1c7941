// Package builtinimage writes the build context of the images swarmgen
// carries itself (the builtin visualizer, images[].builtin): FROM scratch
// Dockerfiles and a static swarmgen binary, which it checks by reading
// the ELF headers.
package builtinimage

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/generator/render"
)

// Prepare writes the build context of the images swarmgen carries
// (the builtin visualizer, images[].builtin) under dir: their Dockerfiles,
// FROM scratch, and a static Linux swarmgen binary, this very one when it
// is static, else one built from the swarmgen source tree the command
// runs in.
func Prepare(dir string) error {
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
	target := filepath.Join(ctx, "swarmgen")
	if exe, err := os.Executable(); err == nil && runtime.GOOS == "linux" && isStatic(exe) {
		data, err := os.ReadFile(exe)
		if err != nil {
			return err
		}
		return writeIfChanged(target, data, 0o755)
	}
	root := sourceRoot()
	if root == "" {
		return fmt.Errorf("the builtin images (the visualizer, images[].builtin) need a static Linux swarmgen binary: build swarmgen with CGO_ENABLED=0, or run it from its source tree")
	}
	build := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-o", target, "./cmd/swarmgen")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the static swarmgen of the builtin images: %v\n%s", err, out)
	}
	return nil
}

// isStatic reports whether path is an ELF executable with no dynamic
// loader, so it runs in a FROM scratch image.
func isStatic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// sourceRoot finds swarmgen's module root from the working directory.
func sourceRoot() string {
	if _, err := exec.LookPath("go"); err != nil {
		return ""
	}
	dir, _ := os.Getwd()
	for dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if strings.HasPrefix(string(data), "module github.com/swarmgen/swarmgen\n") {
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
