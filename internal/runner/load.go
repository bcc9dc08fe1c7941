package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/internal/dockercli"
)

// LoadArchive puts the images of an image archive (docker save's tar) into
// the host's engine with docker load, and returns their names. It reads
// only a regular file: a directory, a device or a pipe is refused.
func LoadArchive(ctx context.Context, archive string) ([]string, error) {
	if err := CheckArchive(archive); err != nil {
		return nil, err
	}
	out, err := dockercli.Run(ctx, "load", "--input="+archive)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if id, ok := strings.CutPrefix(line, "Loaded image ID: "); ok {
			return nil, fmt.Errorf("archive %s holds an image without a name (%s); tag it (docker tag %.19s NAME:TAG), save it again and load that", archive, id, id)
		}
		if name, ok := strings.CutPrefix(line, "Loaded image: "); ok {
			names = append(names, strings.TrimSpace(name))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("docker load found no image in %s", archive)
	}
	return names, nil
}

// CheckArchive refuses an archive docker load cannot read to its end: a
// missing file, a FIFO, a device or a directory. load asks before it
// writes or runs anything.
func CheckArchive(archive string) error {
	fi, err := os.Stat(archive)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("archive %s does not exist", archive)
	case err != nil:
		return fmt.Errorf("archive: %v", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("archive %s is not a regular file (give a tar written by docker save)", archive)
	}
	return nil
}

// Load puts host images into the running lab's registry: it runs the
// lab's bootstrap.sh load, whose put_image (the one that pushes the spec's
// images) pushes each image unless the registry already holds it (same
// digest) and says which. The script writes to out and errOut; a failure
// is its exit status (*exec.ExitError), after it said why.
func Load(ctx context.Context, dir string, images []model.Image, out, errOut io.Writer) error {
	args := []string{filepath.Join(dir, "bootstrap.sh"), "load"}
	for _, img := range images {
		args = append(args, img.Source, img.PushRef, img.Repository, img.Tag, img.RegistryRef)
	}
	cmd := exec.CommandContext(ctx, "bash", args...)
	cmd.Stdout, cmd.Stderr = out, errOut
	return cmd.Run()
}

// PointContext points the lab's docker context at the leading manager: it
// runs the lab's bootstrap.sh context, whose docker_context step is the one
// that makes and moves it (swarmgen recover: the manager it named may be
// gone). The script says what it did on out.
func PointContext(ctx context.Context, dir string, out, errOut io.Writer) error {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(dir, "bootstrap.sh"), "context")
	cmd.Stdout, cmd.Stderr = out, errOut
	return cmd.Run()
}
