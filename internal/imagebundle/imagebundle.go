// Package imagebundle writes and reads a lab's images as one file (docker
// save / docker load): every image a spec needs, so that a room of
// laptops with one connection, or none, brings the lab up from it.
package imagebundle

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/internal/dockercli"
)

// Image is one image of the bundle and why the lab needs it.
type Image struct {
	Name string
	Why  string
	// Pull: a registry has it, so save may pull it when the host lacks it
	Pull bool
	// Base: the builtin images' base image, which save makes itself
	Base bool
}

// Needed is every image the lab needs on the host, each once, in a stable
// order: the registry's and the nodes' images, the images it pushes
// (images[].source, and images[].build as up built them), the builtin
// images' base, and the Docker Hub images its stacks and services name.
func Needed(l *model.Lab) []Image {
	var imgs []Image
	seen := map[string]bool{}
	add := func(img Image) {
		if img.Name != "" && !seen[img.Name] {
			seen[img.Name] = true
			imgs = append(imgs, img)
		}
	}
	if !l.Machines || l.Registry.OnMachine != nil {
		add(Image{Name: l.Registry.Image, Why: "the lab registry", Pull: true})
	}
	for _, n := range l.Nodes() {
		if n.Machine == nil {
			add(Image{Name: n.Image, Why: "node " + n.Name, Pull: true})
		}
	}
	for _, img := range l.Images {
		switch {
		case img.Prepared:
			// made from BuiltinBase
		case img.Source != "":
			add(Image{Name: img.Source, Why: "images[].source " + img.Repository})
		default:
			add(Image{Name: img.PushRef, Why: "images[].build " + img.Build + " (swarmgen up builds it)"})
		}
	}
	add(Image{Name: l.BuiltinBase, Why: "the builtin images' base", Base: true})
	for _, m := range l.MirrorImages {
		add(Image{Name: m.Ref, Why: "a Docker Hub image of the stacks or services", Pull: true})
	}
	return imgs
}

// Save writes imgs to out (a tar of docker save), pulling first what the
// host lacks and a registry has, and making the base image with makeBase.
// An image it cannot have is reported, with every other such, before
// anything is written; out appears whole or not at all.
func Save(ctx context.Context, imgs []Image, out string, w io.Writer, makeBase func(ctx context.Context, name string) error) error {
	var missing []string
	for _, img := range imgs {
		if _, err := dockercli.Run(ctx, "image", "inspect", "--format", "{{.Id}}", "--", img.Name); err == nil {
			continue
		}
		switch {
		case img.Base:
			fmt.Fprintf(w, "making %s (%s)\n", img.Name, img.Why)
			if err := makeBase(ctx, img.Name); err != nil {
				return err
			}
		case img.Pull:
			fmt.Fprintf(w, "pulling %s (%s)\n", img.Name, img.Why)
			if _, err := dockercli.Run(ctx, "pull", "--quiet", "--", img.Name); err != nil {
				missing = append(missing, fmt.Sprintf("%s (%s): the pull failed: %v", img.Name, img.Why, err))
			}
		default:
			missing = append(missing, fmt.Sprintf("%s (%s) is not on this host: build or pull it (or run swarmgen up) first", img.Name, img.Why))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the bundle needs every image of the lab; nothing was written:\n  %s", strings.Join(missing, "\n  "))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := []string{"save", "-o", tmp.Name()}
	for _, img := range imgs {
		args = append(args, img.Name)
	}
	if _, err := dockercli.Run(ctx, args...); err != nil {
		return err
	}
	// a bundle is for other laptops: readable like any file the user writes
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s: %d images\n", out, len(imgs))
	return nil
}

// Load puts the images of a bundle into the host's image store.
func Load(ctx context.Context, file string, w io.Writer) error {
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("no bundle to load: %v", err)
	}
	out, err := dockercli.Run(ctx, "load", "--input", file)
	if err != nil {
		return err
	}
	fmt.Fprint(w, out)
	return nil
}
