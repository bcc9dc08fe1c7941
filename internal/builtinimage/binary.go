// Package builtinimage makes the base of the images swarmgen carries itself
// (the builtin visualizer, images[].builtin): an image FROM scratch holding
// a static Linux swarmgen binary for the engine's architecture, which it
// finds (or has the Go toolchain build) and checks by reading the ELF
// headers. The images' Dockerfiles (FROM that base) are generated files.
package builtinimage

import (
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/dockerformat"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// Module is the path `go install` builds swarmgen from.
const Module = "github.com/swarmgen/swarmgen"

// Arches are the engine architectures a release carries a Linux binary
// for (beside the main one in every archive, as BesideName).
var Arches = []string{"amd64", "arm64"}

// BesideName is the file name of the static linux/arch binary that a
// release archive carries beside swarmgen itself.
func BesideName(arch string) string { return "swarmgen-linux-" + arch }

// Host is what decides where the static Linux binary comes from: this
// swarmgen (its OS, architecture, path and module version), the working
// directory, the Go toolchain and the cache it builds into. The fields are
// set by Detect; tests set them to try every case.
type Host struct {
	GOOS, GOARCH string
	Exe          string // this swarmgen's executable
	Version      string // its module version: "(devel)" or "" in a source tree build
	Dir          string // the working directory (a swarmgen source tree?)
	Go           string // the go command; "" when there is none
	Cache        string // where a built binary is kept, per version and arch
	Env          []string
}

// Detect is this process's Host.
func Detect() Host {
	h := Host{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Env: os.Environ()}
	h.Exe, _ = os.Executable()
	if h.Exe != "" {
		if p, err := filepath.EvalSymlinks(h.Exe); err == nil {
			h.Exe = p
		}
		if bi, err := buildinfo.ReadFile(h.Exe); err == nil {
			h.Version = bi.Main.Version
		}
	}
	h.Dir, _ = os.Getwd()
	h.Go, _ = exec.LookPath("go")
	if c, err := os.UserCacheDir(); err == nil {
		h.Cache = filepath.Join(c, "swarmgen")
	}
	return h
}

// Binary is where the static linux binary comes from.
type Binary struct {
	Path string // the file to copy into the images' build context
	How  string // one line for the user: "this swarmgen", "built with go install ...@v1"
	// Build builds Path first (nil: Path exists): go build in a source
	// tree, or go install of this swarmgen's version
	Build *exec.Cmd
	// RenameFrom is where Build writes, when Path is then renamed from it
	RenameFrom string
}

// Find decides where the static linux/arch binary for an engine of that
// architecture comes from, in this order: this very swarmgen when it is
// one; the release archive's BesideName(arch) beside it; one built before
// into the cache; one the Go toolchain builds (go build in a swarmgen
// source tree, else go install of this swarmgen's own version). Nothing is
// built here: Binary.Build is the command. With none of these it fails
// with what the user can do, before any change.
func (h Host) Find(arch string) (Binary, error) {
	if h.GOOS == "linux" && h.GOARCH == arch && staticFor(h.Exe, arch) {
		return Binary{Path: h.Exe, How: "this swarmgen"}, nil
	}
	if h.Exe != "" {
		beside := filepath.Join(filepath.Dir(h.Exe), BesideName(arch))
		if staticFor(beside, arch) {
			return Binary{Path: beside, How: beside}, nil
		}
	}
	if h.Go != "" {
		if root := sourceRoot(h.Dir); root != "" {
			// the tree may have changed since the last build: always build,
			// go's build cache makes an unchanged tree quick
			cache := h.Cache
			if cache == "" {
				cache = os.TempDir()
			}
			target := filepath.Join(cache, "source-tree", "linux-"+arch, "swarmgen")
			// built beside, then renamed: two ups at once never read half a file
			cmd := exec.Command(h.Go, "build", "-trimpath", "-buildvcs=false", "-o", fmt.Sprintf("%s.%d", target, os.Getpid()), "./cmd/swarmgen")
			cmd.Dir = root
			cmd.Env = crossEnv(h.Env, arch)
			return Binary{Path: target, How: "built from the source tree " + root, Build: cmd, RenameFrom: fmt.Sprintf("%s.%d", target, os.Getpid())}, nil
		}
	}
	if installable(h.Version) && h.Cache != "" {
		gopath := filepath.Join(h.Cache, h.Version)
		// go install puts a cross-compiled binary under bin/GOOS_GOARCH
		target := filepath.Join(gopath, "bin", "linux_"+arch, "swarmgen")
		if h.GOOS == "linux" && h.GOARCH == arch {
			target = filepath.Join(gopath, "bin", "swarmgen")
		}
		if staticFor(target, arch) {
			return Binary{Path: target, How: "built before with go install " + Module + "/cmd/swarmgen@" + h.Version}, nil
		}
		if h.Go != "" {
			cmd := exec.Command(h.Go, "install", "-trimpath", Module+"/cmd/swarmgen@"+h.Version)
			cmd.Dir = h.Cache
			// GOPATH only places the binary: the module cache stays the
			// user's own (GOMODCACHE), GOBIN must be unset to cross-compile
			cmd.Env = append(crossEnv(h.Env, arch), "GOPATH="+gopath, "GOBIN=")
			if mc := goEnv(h, "GOMODCACHE"); mc != "" {
				cmd.Env = append(cmd.Env, "GOMODCACHE="+mc)
			}
			return Binary{Path: target, How: "built with go install " + Module + "/cmd/swarmgen@" + h.Version, Build: cmd}, nil
		}
	}
	return Binary{}, h.notFound(arch)
}

// notFound says what to do when no binary can be had.
func (h Host) notFound(arch string) error {
	dir := "the directory of swarmgen"
	if h.Exe != "" {
		dir = filepath.Dir(h.Exe)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the builtin images (the visualizer, images[].builtin) need a static linux/%s swarmgen binary (the Docker engine runs linux/%s), and this swarmgen (%s/%s", arch, arch, h.GOOS, h.GOARCH)
	if h.GOOS == "linux" && h.GOARCH == arch {
		b.WriteString(", linked dynamically")
	}
	b.WriteString(") is not one. Nothing was changed. Any one of these gives it:\n")
	fmt.Fprintf(&b, "  - put %s from a swarmgen release archive (same version) into %s\n", BesideName(arch), dir)
	if installable(h.Version) {
		fmt.Fprintf(&b, "  - install Go (https://go.dev/dl/) and run this command again: swarmgen builds it with go install %s/cmd/swarmgen@%s\n", Module, h.Version)
	} else if h.Go != "" {
		b.WriteString("  - run this command again from a swarmgen source tree (Go is here; this swarmgen has no release version to go install)\n")
	} else {
		b.WriteString("  - install Go (https://go.dev/dl/) and run this command again from a swarmgen source tree (this swarmgen has no release version to go install)\n")
	}
	fmt.Fprintf(&b, "  - build it yourself in a swarmgen source tree: CGO_ENABLED=0 GOOS=linux GOARCH=%s go build -o %s ./cmd/swarmgen\n", arch, filepath.Join(dir, BesideName(arch)))
	b.WriteString("  - or leave the builtin images out of the spec (visualizer: an image, images[]: source or build)")
	return fmt.Errorf("%s", b.String())
}

// installable reports whether go install can fetch this module version:
// a release or pseudo-version, not a source tree build nor a dirty one.
func installable(v string) bool {
	return strings.HasPrefix(v, "v") && !strings.Contains(v, "+")
}

func crossEnv(env []string, arch string) []string {
	return append(append([]string(nil), env...), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
}

// goEnv is `go env NAME` of the host's toolchain.
func goEnv(h Host, name string) string {
	cmd := exec.Command(h.Go, "env", name)
	cmd.Env = h.Env
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Resolve is the static Linux binary for the engine that h.Env's docker
// reaches, built first when it must be (into the cache, not the lab).
func Resolve(ctx context.Context, h Host) (string, error) {
	arch, err := EngineArch(ctx, h.Env)
	if err != nil {
		return "", err
	}
	return h.Get(arch)
}

// Get is the static linux/arch binary Find names, built first if it must be.
func (h Host) Get(arch string) (string, error) {
	bin, err := h.Find(arch)
	if err != nil {
		return "", err
	}
	if bin.Build != nil {
		for _, dir := range []string{bin.Build.Dir, filepath.Dir(bin.Path)} {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", err
			}
		}
		if out, err := bin.Build.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building the static linux/%s swarmgen of the builtin images (%s): %v\n%s", arch, strings.Join(bin.Build.Args, " "), err, out)
		}
		if bin.RenameFrom != "" {
			if err := os.Rename(bin.RenameFrom, bin.Path); err != nil {
				return "", err
			}
		}
		if !staticFor(bin.Path, arch) {
			return "", fmt.Errorf("%s did not build a static linux/%s binary at %s", strings.Join(bin.Build.Args, " "), arch, bin.Path)
		}
	}
	return bin.Path, nil
}

// elfMachine is the ELF machine of each engine architecture.
var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// staticFor reports whether path is a Linux ELF executable for arch with
// no dynamic loader, so it runs in a FROM scratch image on that engine.
func staticFor(path, arch string) bool {
	if path == "" {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if m, ok := elfMachine[arch]; !ok || f.Machine != m {
		return false
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// EngineArch is the architecture of the Docker engine's server, as Go
// names it (docker reports amd64, arm64, ...), which is not the host's on
// a Mac whose Docker Desktop runs an amd64 VM, nor on a remote engine.
func EngineArch(ctx context.Context, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Arch}}")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("asking the Docker engine its architecture (docker version): %v %s", err, msg)
	}
	arch := strings.TrimSpace(string(out))
	switch arch {
	case "x86_64":
		arch = "amd64"
	case "aarch64":
		arch = "arm64"
	}
	if _, ok := elfMachine[arch]; !ok {
		return "", fmt.Errorf("the Docker engine runs on %q; the builtin images exist for %s only: leave them out of the spec (visualizer: an image, images[]: source or build)", arch, strings.Join(Arches, ", "))
	}
	return arch, nil
}

// BaseDockerfile is the builtin images' base image: the static Linux
// swarmgen and nothing else, as a release publishes it.
const BaseDockerfile = "FROM scratch\nCOPY swarmgen /swarmgen\nENTRYPOINT [\"/swarmgen\"]\n"

// BuildBase makes the base image name (model.Lab.BuiltinBase) in the
// engine's image store from binary, the static Linux swarmgen Resolve
// gave, unless it holds that very binary already (its label says which):
// an unchanged swarmgen costs one inspect.
func BuildBase(ctx context.Context, name, binary string) error {
	data, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	sum := fmt.Sprintf("sha256:%x", sha256.Sum256(data))
	if have, err := dockercli.Run(ctx, "image", "inspect", "--format", dockerformat.MustNamed("image-context"), "--", name); err == nil && strings.TrimSpace(have) == sum {
		return nil
	}
	dir, err := os.MkdirTemp("", "swarmgen-base-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "swarmgen"), data, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(BaseDockerfile), 0o644); err != nil {
		return err
	}
	old, _ := dockercli.Run(ctx, "image", "inspect", "--format", dockerformat.MustNamed("image-id"), "--", name)
	cmd := exec.CommandContext(ctx, "docker", "build", "--quiet", "--label", ownlabels.Context+"="+sum, "-t", name, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker build of %s: %v\n%s", name, err, out)
	}
	dropReplaced(ctx, strings.TrimSpace(old))
	return nil
}

// dropReplaced removes the image a rebuild replaced, if no tag names it
// any more (a user's own tag keeps it): each new swarmgen binary would
// otherwise leave the previous base image dangling. As the runtime's
// drop_replaced does for the images a lab builds.
func dropReplaced(ctx context.Context, id string) {
	if id == "" {
		return
	}
	if tags, err := dockercli.Run(ctx, "image", "inspect", "--format", dockerformat.MustNamed("image-tags"), "--", id); err != nil || strings.TrimSpace(tags) != "0" {
		return
	}
	_, _ = dockercli.Run(ctx, "image", "rm", "--", id) // in use by a container: it stays
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
