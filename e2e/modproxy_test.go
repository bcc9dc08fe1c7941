package e2e

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// module is swarmgen's module path, as `go install ...@VERSION` names it.
const module = "github.com/swarmgen/swarmgen"

// goInstalled is a swarmgen installed as a user installs a release with
// Go: `go install github.com/swarmgen/swarmgen/cmd/swarmgen@VERSION`, the
// C toolchain's default (CGO_ENABLED=1, so linked dynamically), from a
// module proxy. Here the proxy is a local file one holding this tree as
// that version (GOPROXY=file://...), and the module cache the user's own.
type goInstalled struct {
	Bin     string   // the installed swarmgen, outside the source tree
	Version string   // its module version (a pseudo-version, new each run)
	Env     []string // the Go environment it runs in: the proxy, no checksum database for swarmgen, the user cache
	Cache   string   // the user cache directory (XDG_CACHE_HOME): swarmgen keeps its builds under swarmgen/
}

// installFromProxy makes the file module proxy of this tree and installs
// swarmgen from it as a dynamic binary. Its version is new each run (a
// pseudo-version of this commit and the time), since the module cache
// keeps a version's files for good; the test removes that version from
// the module cache at its end.
func installFromProxy(t *testing.T) goInstalled {
	t.Helper()
	root, _ := filepath.Abs("..")
	rev := strings.TrimSpace(gitOut(t, root, "rev-parse", "HEAD"))[:12]
	now := time.Now().UTC()
	v := "v0.0.0-" + now.Format("20060102150405") + "-" + rev
	proxy := t.TempDir()
	writeModule(t, root, proxy, v, now)

	modcache := strings.TrimSpace(goOut(t, nil, "env", "GOMODCACHE"))
	t.Cleanup(func() { dropFromModcache(t, modcache, v) })
	goenv := func(name string) string { return strings.TrimSpace(goOut(t, nil, "env", name)) }
	cache := t.TempDir()
	g := goInstalled{Version: v, Cache: cache, Env: []string{
		// this version from the file proxy, the rest from the module cache
		// or the proxy the machine uses
		"GOPROXY=file://" + filepath.ToSlash(proxy) + "," + goenv("GOPROXY"),
		"GONOSUMDB=" + module, // no checksum database knows this version
		// swarmgen's cache (os.UserCacheDir) in the test's directory; Go's
		// build cache stays where it is, so builds stay quick
		"XDG_CACHE_HOME=" + cache,
		"GOCACHE=" + goenv("GOCACHE"),
		"GOFLAGS=" + strings.TrimSpace(goenv("GOFLAGS")+" -modcacherw"),
	}}
	gobin := t.TempDir()
	g.Bin = filepath.Join(gobin, "swarmgen")
	install := func(extra ...string) {
		start := time.Now()
		args := append(append([]string{"install"}, extra...), module+"/cmd/swarmgen@"+v)
		out := goOut(t, append(append([]string{}, g.Env...), "GOBIN="+gobin, "CGO_ENABLED=1"), args...)
		t.Logf("$ CGO_ENABLED=1 go %s (%s)\n%s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), out)
	}
	install()
	if !dynamic(t, g.Bin) {
		// no C toolchain here, so cgo was off: a position-independent
		// executable needs the dynamic loader all the same
		install("-buildmode=pie")
	}
	if !dynamic(t, g.Bin) {
		t.Fatalf("%s is linked statically; the test needs a dynamic swarmgen", g.Bin)
	}
	return g
}

// writeModule writes version v of the tree at root into the file proxy
// dir: list, .info, .mod and the .zip of the files git knows (tracked,
// or new and not ignored), as a module zip holds them: regular files
// only, under module@v/.
func writeModule(t *testing.T, root, dir, v string, at time.Time) {
	t.Helper()
	atV := filepath.Join(dir, filepath.FromSlash(module), "@v")
	if err := os.MkdirAll(atV, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": v, "Time": at.Format(time.RFC3339)})
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	files := strings.Split(gitOut(t, root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"), "\x00")
	n := 0
	for _, name := range files {
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(name)))
		if name == "" || err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, a link, ...
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(module + "@" + v + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"list": []byte(v + "\n"), v + ".info": info, v + ".mod": gomod, v + ".zip": zbuf.Bytes()} {
		if err := os.WriteFile(filepath.Join(atV, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("file module proxy %s: %s@%s, %d files", dir, module, v, n)
}

// dropFromModcache removes version v of swarmgen from the module cache
// (the test's own version: nothing else is touched).
func dropFromModcache(t *testing.T, modcache, v string) {
	if modcache == "" || !strings.HasPrefix(v, "v0.0.0-") {
		return
	}
	paths := []string{filepath.Join(modcache, filepath.FromSlash(module)+"@"+v)}
	dl, _ := filepath.Glob(filepath.Join(modcache, "cache", "download", filepath.FromSlash(module), "@v", v+".*"))
	for _, p := range append(paths, dl...) {
		// the module cache makes its directories read-only
		_ = filepath.Walk(p, func(path string, fi os.FileInfo, err error) error {
			if err == nil && fi.IsDir() {
				_ = os.Chmod(path, 0o755)
			}
			return nil
		})
		if err := os.RemoveAll(p); err != nil {
			t.Errorf("removing the test's module version from the module cache: %v", err)
		}
	}
	// and from the versions the download cache lists
	list := filepath.Join(modcache, "cache", "download", filepath.FromSlash(module), "@v", "list")
	if raw, err := os.ReadFile(list); err == nil {
		var keep []string
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if line != v && line != "" {
				keep = append(keep, line)
			}
		}
		if len(keep) == 0 {
			_ = os.Remove(list)
		} else {
			_ = os.WriteFile(list, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
		}
	}
}

// dynamic reports whether path is an ELF executable that needs the
// dynamic loader (PT_INTERP), which no FROM scratch image has.
func dynamic(t *testing.T, path string) bool {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

func goOut(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = t.TempDir() // outside the source tree: no go.mod of swarmgen's
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}
