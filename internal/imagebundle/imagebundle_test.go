package imagebundle

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// classic is the model of the default `swarmgen init` spec.
func classic(t *testing.T) []Image {
	t.Helper()
	res, err := generator.Generate(generator.Options{SpecPath: "../../golden/classic/swarm.yaml", OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return Needed(res.Lab)
}

func names(imgs []Image) string {
	var n []string
	for _, img := range imgs {
		n = append(n, img.Name)
	}
	return strings.Join(n, " ")
}

func TestNeededByTheDefaultSpec(t *testing.T) {
	got := names(classic(t))
	// registry, the one node image, the builtin images' base, the Hub image
	// of the ch03-webapi stack; registry:5000/ names come from the registry
	want := "registry:3.0.0 docker:28.5.2-dind swarmgen/swarmgen:devel gihyodocker/nginx-proxy:latest"
	if got != want {
		t.Errorf("Needed = %s\nwant      %s", got, want)
	}
}

// save pulls what the host lacks, makes the base, and writes the file
// only whole; an image it cannot have stops it before docker save.
func TestSave(t *testing.T) {
	imgs := append(classic(t), Image{Name: "myapp:1.0", Why: "images[].source myapp"})
	// the host has the node image and myapp; the registry pull works
	stub := stubdocker.New(t, `case "$*" in
  "image inspect --format {{.Id}} -- docker:28.5.2-dind" | "image inspect --format {{.Id}} -- myapp:1.0") echo sha256:1 ;;
  "image inspect "*) exit 1 ;;
  "pull --quiet -- gihyodocker/nginx-proxy:latest") echo "Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host" >&2; exit 1 ;;
  "pull "*) echo ok ;;
  "save -o "*) set -- $*; echo tar >"$3" ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac`)
	stub.Use(t)
	out := filepath.Join(t.TempDir(), "lab.tar")
	var based []string
	makeBase := func(_ context.Context, name string) error { based = append(based, name); return nil }
	var w bytes.Buffer
	err := Save(context.Background(), imgs, out, &w, makeBase)
	if err == nil || !strings.Contains(err.Error(), "gihyodocker/nginx-proxy:latest (a Docker Hub image of the stacks or services): the pull failed") || !strings.Contains(err.Error(), "no such host") {
		t.Fatalf("Save = %v; want the failed pull of nginx-proxy, with docker's reason", err)
	}
	if strings.Contains(stub.Calls(), "save ") {
		t.Errorf("docker save ran although an image is missing:\n%s", stub.Calls())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written although an image is missing", out)
	}

	// now the Hub image is on the host (pulled where there is a connection)
	stub = stubdocker.New(t, `case "$*" in
  "image inspect --format {{.Id}} -- swarmgen/swarmgen:devel" | "image inspect --format {{.Id}} -- registry:3.0.0") exit 1 ;;
  "image inspect "*) echo sha256:1 ;;
  "pull --quiet -- registry:3.0.0") echo ok ;;
  "save -o "*) set -- $*; echo tar >"$3" ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac`)
	stub.Use(t)
	based = nil
	if err := Save(context.Background(), imgs, out, &w, makeBase); err != nil {
		t.Fatal(err)
	}
	if strings.Join(based, " ") != "swarmgen/swarmgen:devel" {
		t.Errorf("base images made: %q; want swarmgen/swarmgen:devel", based)
	}
	calls := stub.Calls()
	if !strings.Contains(calls, "pull --quiet -- registry:3.0.0\n") || strings.Count(calls, "pull ") != 1 {
		t.Errorf("want one pull, of registry:3.0.0:\n%s", calls)
	}
	if !strings.Contains(calls, " registry:3.0.0 docker:28.5.2-dind swarmgen/swarmgen:devel gihyodocker/nginx-proxy:latest myapp:1.0\n") {
		t.Errorf("docker save did not get every image:\n%s", calls)
	}
	if b, _ := os.ReadFile(out); string(b) != "tar\n" {
		t.Errorf("%s holds %q; want what docker save wrote", out, b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".lab.tar.*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// a source image the host lacks cannot be pulled: it is named
	stub = stubdocker.New(t, `case "$*" in
  "image inspect --format {{.Id}} -- myapp:1.0") exit 1 ;;
  "image inspect "*) echo sha256:1 ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac`)
	stub.Use(t)
	err = Save(context.Background(), imgs, out, &w, func(context.Context, string) error { return errors.New("no base") })
	if err == nil || !strings.Contains(err.Error(), "myapp:1.0 (images[].source myapp) is not on this host") {
		t.Errorf("Save = %v; want myapp:1.0 named as missing", err)
	}
}

func TestLoad(t *testing.T) {
	stub := stubdocker.New(t, `case "$*" in
  "load --input "*) echo "Loaded image: registry:3.0.0" ;;
  *) exit 9 ;;
esac`)
	stub.Use(t)
	file := filepath.Join(t.TempDir(), "lab.tar")
	var w bytes.Buffer
	if err := Load(context.Background(), file, &w); err == nil || !strings.Contains(err.Error(), "no bundle to load") {
		t.Errorf("Load of a missing file = %v; want it refused", err)
	}
	if stub.Calls() != "" {
		t.Errorf("docker ran for a missing file: %s", stub.Calls())
	}
	if err := os.WriteFile(file, []byte("tar"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Load(context.Background(), file, &w); err != nil || !strings.Contains(w.String(), "Loaded image: registry:3.0.0") {
		t.Errorf("Load = %v, printed %q", err, w.String())
	}
	if stub.Calls() != "load --input "+file+"\n" {
		t.Errorf("calls %q; want docker load --input %s", stub.Calls(), file)
	}
}
