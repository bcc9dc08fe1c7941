package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/internal/runner"
)

func loadCommand() *cli.Command {
	return &cli.Command{
		Name:      "load",
		Usage:     "push host images (or an image archive) into the lab registry, without editing the spec",
		ArgsUsage: "[IMAGE...] [--archive FILE.tar]",
		Description: `Pushes images of the host's engine into the running lab's registry, named as
images[].source would name them (myapp:1.0 -> registry:5000/myapp:1.0), and
prints the registry:5000/... reference to use in a stack or service. An image
the registry already holds (same digest) is not pushed again. --archive loads
a docker save tar into the host's engine first (docker load) and pushes the
images it holds. The spec is not changed: the next swarmgen up does not push
these images, and swarmgen down removes them with the registry's volume.`,
		Flags: []cli.Flag{
			specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag(),
			&cli.StringFlag{Name: "archive", Usage: "an image archive (a tar written by docker save) to load and push"},
		},
		Action: func(c *cli.Context) error {
			sources := c.Args().Slice()
			if len(sources) == 0 && c.String("archive") == "" {
				return userErrorf("give the images to load, e.g. swarmgen load myapp:1.0, or --archive FILE.tar")
			}
			if archive := c.String("archive"); archive != "" {
				// before anything else is read or run
				if err := runner.CheckArchive(archive); err != nil {
					return cli.Exit(err.Error(), exitUser)
				}
			}
			dir, registry, err := loadTarget(c)
			if err != nil {
				return err
			}
			var images []model.Image
			for _, src := range sources {
				img, err := model.HostImage(src, registry)
				if err != nil {
					return userErrorf("%v", err)
				}
				images = append(images, img)
			}
			if archive := c.String("archive"); archive != "" {
				names, err := runner.LoadArchive(c.Context, archive)
				if err != nil {
					return cli.Exit(err.Error(), exitUser)
				}
				for _, name := range names {
					img, err := model.HostImage(name, registry)
					if err != nil {
						return cli.Exit(fmt.Sprintf("archive %s: %v", archive, err), exitUser)
					}
					images = append(images, img)
				}
			}
			err = runner.Load(c.Context, dir, images, c.App.Writer, c.App.ErrWriter)
			var ee interface{ ExitCode() int }
			if errors.As(err, &ee) {
				return cli.Exit("", exitUser) // bootstrap.sh said why
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, " ✓ in the lab registry; use the registry:5000/... names above as a stack's or service's image")
			return nil
		},
	}
}

// loadTarget is the directory of the lab whose bootstrap.sh loads, and
// its registry: the lab --lab names, from its containers' labels (the
// registry's published port gives where the host pushes), else the lab
// of the spec here, rendered but not written.
func loadTarget(c *cli.Context) (string, model.Registry, error) {
	name := labName(c)
	if name == "" {
		res, _, err := renderLab(c, false)
		if err != nil {
			return "", model.Registry{}, err
		}
		return outDir(c), res.Lab.Registry, nil
	}
	cl, err := findLabFiles(c, name)
	if err != nil {
		return "", model.Registry{}, err
	}
	if cl.MachineEnv != nil {
		// its registry (on a machine, or the spec's address) is the spec's
		return "", model.Registry{}, errMachineLab("swarmgen load", name, cl, "name its spec instead: swarmgen load -f SPEC -o "+cl.Dir+" IMAGE...")
	}
	host, port, err := net.SplitHostPort(cl.RegistryPublished)
	if err != nil {
		return "", model.Registry{}, userErrorf("lab %s has no running registry publishing its port (%s); start the lab: swarmgen start --lab %s", name, cl.Registry, name)
	}
	return cl.Dir, model.Registry{PushHost: model.PushHost(host, port), PullHost: spec.RegistryHost}, nil
}
