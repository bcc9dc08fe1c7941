// Package release checks the release configuration at the repository root
// (.goreleaser.yaml) with the goreleaser it is written for: the config is
// valid, it builds what docs/getting-started.md promises, and a snapshot build of this
// machine's target says its version and revision like `go install` does.
package release

import (
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/internal/gitcheckout"
)

// goreleaserVersion is the goreleaser e2e/provision.sh installs (newer ones
// need a newer Go than the project's).
const goreleaserVersion = "v2.15.1"

// The targets and settings a release must have (docs/getting-started.md, "Install").
func TestConfigTargets(t *testing.T) {
	raw, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int
		Builds  []struct {
			ID     string
			Binary string
			Main   string
			Env    []string
			Goos   []string
			Goarch []string
			Flags  []string
		}
		Archives []struct {
			IDs   []string
			Files []any
		}
		Checksum *struct{ Algorithm string }
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 2 {
		t.Fatalf("want a version: 2 config with two builds (swarmgen, swarmgen-linux), got version %d, %d builds", cfg.Version, len(cfg.Builds))
	}
	// the static Linux binaries that the builtin images need, named as
	// builtinimage.BesideName looks for them, go into every archive
	lb := cfg.Builds[1]
	slices.Sort(lb.Goarch)
	if lb.ID != "swarmgen-linux" || lb.Binary != "swarmgen-linux-{{ .Arch }}" || fmt.Sprint(lb.Goos, lb.Goarch) != "[linux] [amd64 arm64]" || !slices.Contains(lb.Env, "CGO_ENABLED=0") {
		t.Errorf("second build %+v; want swarmgen-linux, binary swarmgen-linux-{{ .Arch }}, linux amd64 and arm64, CGO_ENABLED=0", lb)
	}
	if len(cfg.Archives) != 1 || fmt.Sprint(cfg.Archives[0].IDs) != "[swarmgen]" || !strings.Contains(fmt.Sprint(cfg.Archives[0].Files), "dist/swarmgen-linux_linux_*/swarmgen-linux-*") {
		t.Errorf("archives %+v; want one archive of build swarmgen that carries the swarmgen-linux binaries", cfg.Archives)
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/swarmgen" || !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build main %q env %q; want ./cmd/swarmgen with CGO_ENABLED=0", b.Main, b.Env)
	}
	slices.Sort(b.Goos)
	slices.Sort(b.Goarch)
	if fmt.Sprint(b.Goos, b.Goarch) != "[darwin linux] [amd64 arm64]" {
		t.Errorf("targets %v %v; want linux and darwin, amd64 and arm64", b.Goos, b.Goarch)
	}
	if !slices.Contains(b.Flags, "-buildvcs=true") {
		t.Errorf("flags %q lack -buildvcs=true: --version needs the revision", b.Flags)
	}
	if cfg.Checksum == nil || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum: %+v; want sha256 checksums", cfg.Checksum)
	}
}

// goreleaser check, then a snapshot build of this machine's target in a
// clone of the working tree (dist/ lands there, not in the repository);
// the binary reports the clone's revision from its build info.
func TestSnapshotBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds swarmgen; skipped in -short")
	}
	goreleaser := needGoreleaser(t)
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skipf("SKIPPED: no release target for %s", runtime.GOOS)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	src, rev := gitcheckout.Clone(t, root)
	gitcheckout.Run(t, src, goreleaser, "check")
	dirty := gitcheckout.Run(t, src, "git", "status", "--porcelain")
	t.Log(gitcheckout.Run(t, src, goreleaser, "build", "--snapshot", "--clean", "--single-target"))
	if again := gitcheckout.Run(t, src, "git", "status", "--porcelain"); again != dirty {
		t.Errorf("the snapshot build changed the git tree's state:\n%s\nthen\n%s", dirty, again)
	}

	raw, err := os.ReadFile(filepath.Join(src, "dist", "artifacts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var artifacts []struct{ Type, Name, Path, Goos, Goarch string }
	if err := json.Unmarshal(raw, &artifacts); err != nil {
		t.Fatal(err)
	}
	var bins, names []string
	for _, a := range artifacts {
		if a.Type == "Binary" {
			if a.Goos != runtime.GOOS || a.Goarch != runtime.GOARCH {
				t.Errorf("built %s/%s, want only %s/%s", a.Goos, a.Goarch, runtime.GOOS, runtime.GOARCH)
			}
			if a.Name == "swarmgen" {
				bins = append(bins, filepath.Join(src, a.Path))
			}
			names = append(names, a.Name)
		}
	}
	if len(bins) != 1 {
		t.Fatalf("%d binaries named swarmgen built, want 1: %s", len(bins), raw)
	}
	if runtime.GOOS == "linux" && !slices.Contains(names, "swarmgen-linux-"+runtime.GOARCH) {
		t.Errorf("binaries %q; want swarmgen-linux-%s beside swarmgen", names, runtime.GOARCH)
	}
	out := gitcheckout.Run(t, src, bins[0], "--version")
	t.Logf("%s", out)
	if !strings.HasPrefix(out, "swarmgen version ") || !strings.Contains(out, "revision "+rev) {
		t.Errorf("--version of the release build = %q, want the revision %s", out, rev)
	}
	info, err := buildinfo.ReadFile(bins[0])
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" || strings.Contains(settings["-ldflags"], "-X") {
		t.Errorf("build settings %v; want CGO_ENABLED=0, -trimpath and no -X", settings)
	}
}

// needGoreleaser is goreleaser's path; without it the test skips loudly,
// and fails under SWARMGEN_REQUIRE_TOOLS=1 (test.sh, CI), where
// e2e/provision.sh has installed it.
func needGoreleaser(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s is not on PATH", tool)
		}
	}
	path, err := exec.LookPath("goreleaser")
	if err != nil {
		msg := "goreleaser is not on PATH (e2e/provision.sh installs " + goreleaserVersion + ")"
		if os.Getenv("SWARMGEN_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg + ", required with SWARMGEN_REQUIRE_TOOLS=1")
		}
		fmt.Fprintf(os.Stderr, "\n!!!!!!!!!!\n!!! SKIPPED: %s\n!!!!!!!!!!\n\n", msg)
		t.Skip("SKIPPED: " + msg)
	}
	if out, err := exec.Command(path, "--version").CombinedOutput(); err != nil || !strings.Contains(string(out), goreleaserVersion) {
		t.Logf("goreleaser at %s is not %s (%v):\n%s", path, goreleaserVersion, err, out)
	}
	return path
}

// The base image of the builtin images is published under the name the
// model gives a release (model.BuiltinBase), for both Linux targets.
func TestConfigPublishesTheBuiltinBase(t *testing.T) {
	raw, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Dockers []struct {
			IDs, Images, Tags, Platforms []string
			Dockerfile                   string
		} `yaml:"dockers_v2"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Dockers) != 1 {
		t.Fatalf("dockers_v2: %d images, want 1 (the builtin base)", len(cfg.Dockers))
	}
	d := cfg.Dockers[0]
	img, _ := model.BuiltinBase("v1.2.3")
	if got := d.Images[0] + ":" + strings.ReplaceAll(d.Tags[0], "{{ .Version }}", "1.2.3"); len(d.Images) != 1 || len(d.Tags) != 1 || got != img {
		t.Errorf("publishes %v tagged %v; want %s", d.Images, d.Tags, img)
	}
	if fmt.Sprint(d.IDs, d.Platforms) != "[swarmgen-linux] [linux/amd64 linux/arm64]" {
		t.Errorf("from builds %v for %v; want swarmgen-linux for linux/amd64 and linux/arm64", d.IDs, d.Platforms)
	}
	df, err := os.ReadFile(filepath.Join("../..", d.Dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), "FROM scratch") || !strings.Contains(string(df), "COPY $TARGETPLATFORM/swarmgen-linux-* /swarmgen") {
		t.Errorf("%s does not copy the static binary into a scratch image:\n%s", d.Dockerfile, df)
	}
}
