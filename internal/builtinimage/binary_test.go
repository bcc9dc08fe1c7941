package builtinimage

import (
	"archive/zip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// hello is a program outside swarmgen's tree, built as the test needs it
// (static or not, for any GOOS/GOARCH).
const hello = "package main\n\nfunc main() { println(\"hi\") }\n"

func goCmd(t *testing.T) string {
	t.Helper()
	g, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("these tests build programs: go must be on PATH")
	}
	return g
}

// buildHello builds hello for goos/goarch into out.
func buildHello(t *testing.T, out, goos, goarch string, cgo bool) {
	t.Helper()
	src := t.TempDir()
	must(t, os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.21\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(src, "main.go"), []byte(hello), 0o644))
	cmd := exec.Command(goCmd(t), "build", "-o", out, ".")
	cmd.Dir = src
	cgoEnv := "CGO_ENABLED=0"
	if cgo {
		cgoEnv = "CGO_ENABLED=1"
	}
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, cgoEnv, "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dynamicExe is a dynamically linked Linux executable of this machine
// (one the system has: no C toolchain is needed to get one).
func dynamicExe(t *testing.T, dir, name string) string {
	t.Helper()
	for _, p := range []string{"/bin/true", "/usr/bin/true"} {
		if data, err := os.ReadFile(p); err == nil {
			out := filepath.Join(dir, name)
			must(t, os.WriteFile(out, data, 0o755))
			if staticFor(out, runtime.GOARCH) {
				t.Fatalf("%s is static; the test needs a dynamic executable", p)
			}
			return out
		}
	}
	t.Fatal("no /bin/true to use as a dynamic executable")
	return ""
}

func TestFind(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("SKIPPED: the cases use this machine's dynamic /bin/true as linux/amd64 (this is %s/%s)", runtime.GOOS, runtime.GOARCH)
	}
	bin := t.TempDir()
	staticAmd64 := filepath.Join(bin, "static-amd64", "swarmgen")
	buildHello(t, staticAmd64, "linux", "amd64", false)
	darwin := filepath.Join(bin, "darwin", "swarmgen")
	buildHello(t, darwin, "darwin", "arm64", false)
	besideArm64 := filepath.Join(bin, "darwin", BesideName("arm64"))
	buildHello(t, besideArm64, "linux", "arm64", false)
	dynamic := dynamicExe(t, t.TempDir(), "swarmgen")
	// a dynamic file where the release's static one should be
	badBeside := t.TempDir()
	dynamicExe(t, badBeside, BesideName("amd64"))
	badBesideExe := filepath.Join(badBeside, "swarmgen")
	buildHello(t, badBesideExe, "darwin", "amd64", false)

	tree := t.TempDir()
	must(t, os.WriteFile(filepath.Join(tree, "go.mod"), []byte("module "+Module+"\n\ngo 1.21\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(tree, "cmd", "swarmgen"), 0o755))
	outside := t.TempDir()
	cache := t.TempDir()

	for _, c := range []struct {
		name string
		h    Host
		arch string
		want string // the binary's path, or "build: ARGS", or "error: TEXT"
	}{
		{"static linux swarmgen for the engine's arch is used itself",
			Host{GOOS: "linux", GOARCH: "amd64", Exe: staticAmd64, Dir: outside}, "amd64", staticAmd64},
		{"static linux swarmgen of another arch than the engine's is not",
			Host{GOOS: "linux", GOARCH: "amd64", Exe: staticAmd64, Dir: outside, Version: "(devel)"}, "arm64", "error: need a static linux/arm64 swarmgen binary"},
		{"macOS binary with the release's linux binary beside it",
			Host{GOOS: "darwin", GOARCH: "arm64", Exe: darwin, Dir: outside}, "arm64", besideArm64},
		{"the binary beside must be for the engine's arch",
			Host{GOOS: "darwin", GOARCH: "arm64", Exe: darwin, Dir: outside, Version: "v1.2.3", Cache: cache}, "amd64", "error: " + BesideName("amd64") + " from a swarmgen release archive"},
		{"a dynamic file beside is not taken",
			Host{GOOS: "darwin", GOARCH: "amd64", Exe: badBesideExe, Dir: outside}, "amd64", "error: this swarmgen (darwin/amd64) is not one"},
		{"dynamic linux binary outside a tree, no Go",
			Host{GOOS: "linux", GOARCH: "amd64", Exe: dynamic, Dir: outside, Version: "(devel)"}, "amd64", "error: (linux/amd64, linked dynamically) is not one. Nothing was changed"},
		{"no Go: the message names go install of the version",
			Host{GOOS: "darwin", GOARCH: "arm64", Exe: dynamic, Dir: outside, Version: "v1.2.3", Cache: cache}, "amd64", "error: go install " + Module + "/cmd/swarmgen@v1.2.3"},
		{"dynamic linux binary in a source tree with Go: go build there",
			Host{GOOS: "linux", GOARCH: "amd64", Exe: dynamic, Dir: filepath.Join(tree, "cmd"), Go: "/usr/bin/go", Cache: cache}, "arm64", "build: /usr/bin/go build -trimpath -buildvcs=false -o " + filepath.Join(cache, "source-tree", "linux-arm64", "swarmgen") + "." + strconv.Itoa(os.Getpid()) + " ./cmd/swarmgen"},
		{"macOS binary of a release, Go present: go install of that version",
			Host{GOOS: "darwin", GOARCH: "arm64", Exe: dynamic, Dir: outside, Go: "/usr/bin/go", Version: "v1.2.3", Cache: cache}, "amd64", "build: /usr/bin/go install -trimpath " + Module + "/cmd/swarmgen@v1.2.3"},
		{"a dirty build cannot be installed",
			Host{GOOS: "darwin", GOARCH: "arm64", Exe: dynamic, Dir: outside, Go: "/usr/bin/go", Version: "v1.2.3+dirty", Cache: cache}, "amd64", "error: this swarmgen has no release version to go install"},
		{"a devel build outside a tree cannot be built",
			Host{GOOS: "linux", GOARCH: "amd64", Exe: dynamic, Dir: outside, Go: "/usr/bin/go", Version: "(devel)", Cache: cache}, "amd64", "error: CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o " + filepath.Join(filepath.Dir(dynamic), BesideName("amd64"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.h.Find(c.arch)
			switch {
			case strings.HasPrefix(c.want, "error: "):
				if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(c.want, "error: ")) {
					t.Fatalf("Find = %+v, %v; want an error with %q", got, err, strings.TrimPrefix(c.want, "error: "))
				}
			case err != nil:
				t.Fatalf("Find: %v; want %s", err, c.want)
			case strings.HasPrefix(c.want, "build: "):
				if got.Build == nil || strings.Join(got.Build.Args, " ") != strings.TrimPrefix(c.want, "build: ") {
					t.Fatalf("Find = %+v; want %s", got, c.want)
				}
				if env := strings.Join(got.Build.Env, " "); !strings.Contains(env, "CGO_ENABLED=0 GOOS=linux GOARCH="+c.arch) {
					t.Errorf("build environment lacks CGO_ENABLED=0 GOOS=linux GOARCH=%s: %s", c.arch, env)
				}
			default:
				if got.Path != c.want || got.Build != nil {
					t.Fatalf("Find = %+v; want %s as it is", got, c.want)
				}
			}
		})
	}
}

// The toolchain path for real: a macOS swarmgen of a release version, on a
// host with Go, gets its linux/arm64 binary from go install of that
// version, here from a file-based module proxy holding a stand-in module
// (GOPROXY=file://...), and a second run finds it in the cache.
func TestFindInstallsFromModuleProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program; skipped in -short")
	}
	proxy := t.TempDir()
	const v = "v0.0.1-test"
	modDir := filepath.Join(proxy, filepath.FromSlash(Module), "@v")
	must(t, os.MkdirAll(modDir, 0o755))
	gomod := "module " + Module + "\n\ngo 1.21\n"
	must(t, os.WriteFile(filepath.Join(modDir, "list"), []byte(v+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(modDir, v+".info"), []byte(`{"Version":"`+v+`","Time":"2026-01-01T00:00:00Z"}`), 0o644))
	must(t, os.WriteFile(filepath.Join(modDir, v+".mod"), []byte(gomod), 0o644))
	zf, err := os.Create(filepath.Join(modDir, v+".zip"))
	must(t, err)
	zw := zip.NewWriter(zf)
	for name, body := range map[string]string{"go.mod": gomod, "cmd/swarmgen/main.go": hello} {
		w, err := zw.Create(Module + "@" + v + "/" + name)
		must(t, err)
		_, err = w.Write([]byte(body))
		must(t, err)
	}
	must(t, zw.Close())
	must(t, zf.Close())

	darwin := filepath.Join(t.TempDir(), "swarmgen")
	buildHello(t, darwin, "darwin", "arm64", false)
	env := append(os.Environ(), "GOPROXY=file://"+filepath.ToSlash(proxy), "GOSUMDB=off", "GOFLAGS=", "GOMODCACHE="+t.TempDir())
	h := Host{GOOS: "darwin", GOARCH: "arm64", Exe: darwin, Version: v, Dir: t.TempDir(), Go: goCmd(t), Cache: t.TempDir(), Env: env}
	bin, err := h.Find("arm64")
	must(t, err)
	if bin.Build == nil || bin.Build.Args[1] != "install" {
		t.Fatalf("Find = %+v; want a go install", bin)
	}
	path, err := h.Get("arm64")
	must(t, err)
	if path != bin.Path || !staticFor(bin.Path, "arm64") {
		t.Fatalf("Get = %s; want a static linux/arm64 binary at %s", path, bin.Path)
	}
	again, err := h.Find("arm64")
	must(t, err)
	if again.Build != nil || again.Path != bin.Path {
		t.Errorf("second Find = %+v; want the cached %s, nothing built", again, bin.Path)
	}
	// the module cache of the user stays where it was (not under the cache)
	if _, err := os.Stat(filepath.Join(h.Cache, v, "pkg", "mod")); err == nil {
		t.Errorf("go install filled a module cache under %s; want GOMODCACHE kept", h.Cache)
	}
}

func TestEngineArch(t *testing.T) {
	for reported, want := range map[string]string{"amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64", "s390x": "error: runs on \"s390x\""} {
		stub := stubdocker.New(t, `case "$*" in "version --format {{.Server.Arch}}") echo `+reported+` ;; *) exit 1 ;; esac`)
		stub.Use(t)
		got, err := EngineArch(context.Background(), nil)
		if strings.HasPrefix(want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(want, "error: ")) {
				t.Errorf("engine %s: got %q, %v; want an error with %q", reported, got, err, want)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("engine %s: got %q, %v; want %s", reported, got, err, want)
		}
	}
}

// In a swarmgen source tree (here a stand-in module of that path) a
// dynamic swarmgen builds the binary there, for the engine's arch.
func TestGetBuildsInASourceTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program; skipped in -short")
	}
	tree := t.TempDir()
	must(t, os.WriteFile(filepath.Join(tree, "go.mod"), []byte("module "+Module+"\n\ngo 1.21\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(tree, "cmd", "swarmgen"), 0o755))
	must(t, os.WriteFile(filepath.Join(tree, "cmd", "swarmgen", "main.go"), []byte(hello), 0o644))
	h := Host{GOOS: "linux", GOARCH: runtime.GOARCH, Exe: "/bin/true", Version: "(devel)", Dir: filepath.Join(tree, "cmd"),
		Go: goCmd(t), Cache: t.TempDir(), Env: append(os.Environ(), "GOFLAGS=")}
	path, err := h.Get("arm64")
	must(t, err)
	if !staticFor(path, "arm64") || filepath.Dir(path) != filepath.Join(h.Cache, "source-tree", "linux-arm64") {
		t.Fatalf("Get = %s; want a static linux/arm64 binary in the cache", path)
	}
	if left, _ := filepath.Glob(path + ".*"); len(left) > 0 {
		t.Errorf("build files left beside it: %v", left)
	}
}

// Each new swarmgen binary rebuilds the base image (labelled with the
// binary's digest); the one it replaced is removed unless something else
// still names it. The same binary again builds nothing.
func TestBuildBase(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "swarmgen")
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	const sum = "sha256:9a3a45d01531a20e89ac6ae10b0b0beb0492acd7216a368aa062d1a5fecaf9cd" // of "binary"
	for _, tc := range []struct {
		name, have, tags string
		built, removed   bool
	}{
		{"a new binary; no tag names the old base any more", "sha256:older", "0", true, true},
		{"a new binary; the user tagged the old base too", "sha256:older", "1", true, false},
		{"the same binary", sum, "0", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := stubdocker.New(t, `case "$*" in
  "image inspect --format {{index .Config.Labels \"dev.swarmgen.context\"}} -- swarmgen/swarmgen:devel") echo `+tc.have+` ;;
  "image inspect --format {{.Id}} -- swarmgen/swarmgen:devel") echo sha256:old ;;
  "build --quiet --label dev.swarmgen.context=`+sum+` -t swarmgen/swarmgen:devel "*) ;;
  "image inspect --format {{len .RepoTags}} -- sha256:old") echo `+tc.tags+` ;;
  "image rm -- sha256:old") ;;
  *) exit 1 ;;
esac`)
			stub.Use(t)
			if err := BuildBase(context.Background(), "swarmgen/swarmgen:devel", bin); err != nil {
				t.Fatalf("%v; calls:\n%s", err, stub.Calls())
			}
			calls := stub.Calls()
			if got := strings.Contains(calls, "build "); got != tc.built {
				t.Errorf("built: %v, want %v; calls:\n%s", got, tc.built, calls)
			}
			if got := strings.Contains(calls, "image rm -- sha256:old"); got != tc.removed {
				t.Errorf("removed the replaced image: %v, want %v; calls:\n%s", got, tc.removed, calls)
			}
		})
	}
}
