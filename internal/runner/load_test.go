package runner

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// An archive must be a regular file that exists; what docker load says
// gives the images' names, and an unnamed image is refused.
func TestLoadArchive(t *testing.T) {
	dir := t.TempDir()
	stub := stubdocker.New(t, `case "$*" in
    "load --input="*/two.tar) printf 'Loaded image: app:1\nLoaded image: other/app:2\n' ;;
    "load --input="*/unnamed.tar) printf 'Loaded image ID: sha256:0123456789abcdef0123\n' ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`)
	stub.Use(t)
	for _, f := range []string{"two.tar", "unnamed.tar"} {
		if err := writeFile(dir + "/" + f); err != nil {
			t.Fatal(err)
		}
	}
	names, err := LoadArchive(context.Background(), dir+"/two.tar")
	if err != nil || strings.Join(names, " ") != "app:1 other/app:2" {
		t.Errorf("two images: %v, %v", names, err)
	}
	for file, want := range map[string]string{
		dir + "/unnamed.tar": "holds an image without a name (sha256:0123456789abcdef0123); tag it",
		dir + "/none.tar":    "none.tar does not exist",
		dir:                  "is not a regular file",
	} {
		if _, err := LoadArchive(context.Background(), file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadArchive(%s): %v, want %q", file, err, want)
		}
	}
	if calls := stub.Calls(); strings.Contains(calls, "none.tar") || strings.Count(calls, "load") != 2 {
		t.Errorf("calls:\n%s", calls)
	}
}

func writeFile(path string) error { return os.WriteFile(path, []byte("tar"), 0o644) }
