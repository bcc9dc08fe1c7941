package spec

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/swarmgen/swarmgen/generator/inputfile"
)

// Even with --allow-outside-spec-dir, a build context whose Dockerfile is
// a device, or which holds a FIFO or a link to a device, is refused by
// validation: bootstrap.sh's digest of the context would never end.
func TestBuildContextHoldsOnlyFiles(t *testing.T) {
	for name, tc := range map[string]struct {
		setup func(ctx string) error
		want  string
	}{
		"Dockerfile is /dev/zero": {func(ctx string) error {
			return os.Symlink("/dev/zero", filepath.Join(ctx, "Dockerfile"))
		}, `images[0].dockerfile: "Dockerfile" in build context "ctx" is not a regular file but a device`},
		"a FIFO": {func(ctx string) error {
			return syscall.Mkfifo(filepath.Join(ctx, "pipe"), 0o600)
		}, `images[0].build: "ctx" holds "pipe", which is not a regular file but a named pipe`},
		"a link to /dev/zero": {func(ctx string) error {
			return os.Symlink("/dev/zero", filepath.Join(ctx, "data.bin"))
		}, `images[0].build: "ctx" holds "data.bin", a symlink to a device, which is no regular file`},
		"a dangling link": {func(ctx string) error {
			return os.Symlink("nothing", filepath.Join(ctx, "gone"))
		}, `images[0].build: "ctx" holds "gone", a symlink to nothing`},
		"a link inside": {func(ctx string) error {
			return os.Symlink("Dockerfile", filepath.Join(ctx, "again"))
		}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := filepath.Join(dir, "ctx")
			if err := os.Mkdir(ctx, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tc.setup(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(filepath.Join(ctx, "Dockerfile")); err != nil {
				if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, pos := parse(t, "apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\nimages:\n  - {build: ctx, name: a:1}\n")
			ApplyDefaults(s)
			var got []string
			for _, d := range Validate(s, filepath.Join(dir, "swarm.yaml"), dir, pos, inputfile.Policy{AllowOutside: true}).Errors() {
				got = append(got, d.Path+": "+d.Msg)
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("want no error, got %q", got)
			case tc.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.want)):
				t.Errorf("got %q, want one error starting %q", got, tc.want)
			}
		})
	}
}
