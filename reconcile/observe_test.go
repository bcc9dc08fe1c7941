package reconcile

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/swarmgen/swarmgen/generator/model"
)

// needEngine skips loudly without a Docker engine, and fails instead when
// SWARMGEN_REQUIRE_E2E=1 (CI), so CI never skips.
func needEngine(t *testing.T) {
	t.Helper()
	if err := exec.Command("docker", "info").Run(); err != nil {
		if os.Getenv("SWARMGEN_REQUIRE_E2E") == "1" {
			t.Fatalf("SWARMGEN_REQUIRE_E2E=1 but no Docker engine answers: %v", err)
		}
		t.Skip("SKIPPED: no Docker engine answers (`docker info` fails); this test needs one")
	}
}

func TestRebuiltSeesAChangedContext(t *testing.T) {
	needEngine(t)
	ctx := context.Background()
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	write := func(content string) {
		t.Helper()
		if err := os.MkdirAll(app, 0o755); err != nil {
			t.Fatal(err)
		}
		df := "FROM scratch\nCOPY page.txt /\n"
		if err := os.WriteFile(filepath.Join(app, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(app, "page.txt"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img := model.Image{Build: "app", Dockerfile: "Dockerfile", PushRef: "localhost:5999/swarmgen-test/rebuilt:1"}
	t.Cleanup(func() { exec.Command("docker", "image", "rm", "-f", img.PushRef).Run() })

	write("one")
	if rebuilt(ctx, dir, img) {
		t.Error("an image never built here is reported as rebuilt; it is pushed anyway")
	}
	if out, err := exec.Command("docker", "build", "--quiet", "-t", img.PushRef, app).CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	if rebuilt(ctx, dir, img) {
		t.Error("the context did not change, yet rebuilt says it did")
	}
	write("two")
	if !rebuilt(ctx, dir, img) {
		t.Error("page.txt changed, yet rebuilt says the image is the same")
	}
}
