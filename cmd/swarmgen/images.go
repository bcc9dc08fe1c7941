package main

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/builtinimage"
	"github.com/swarmgen/swarmgen/internal/imagebundle"
)

// imagesCommand is `swarmgen images save|load`: a classroom's bundle.
func imagesCommand() *cli.Command {
	return &cli.Command{
		Name:  "images",
		Usage: "save every image the lab needs into one file, or load such a file (a classroom without Docker Hub)",
		Description: `swarmgen images save -o lab.tar   (where the images can be pulled or are already)
swarmgen images load lab.tar      (on each laptop; then swarmgen up needs no network)
The bundle holds the registry's and the nodes' images, the images the spec
pushes, the builtin images' base and the Docker Hub images the stacks and
services name, which up puts into the lab registry: the nodes pull nothing
from outside.`,
		Subcommands: []*cli.Command{
			{
				Name:  "save",
				Usage: "write every image the spec needs to one file (pulls what this host lacks)",
				// -o is the bundle here (as docker save -o), not --out: save
				// writes none of the lab's files
				Flags: []cli.Flag{specFlag(), allowOutsideFlag(),
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the file to write (a docker save tar); required"}},
				Action: func(c *cli.Context) error {
					if c.String("output") == "" {
						return userErrorf("swarmgen images save needs the file to write: swarmgen images save -o lab.tar")
					}
					res, _, err := renderLab(c, false)
					if err != nil {
						return err
					}
					makeBase := func(ctx context.Context, name string) error {
						bin, err := builtinimage.Resolve(ctx, builtinimage.Detect())
						if err != nil {
							return err
						}
						return builtinimage.BuildBase(ctx, name, bin)
					}
					if err := imagebundle.Save(c.Context, imagebundle.Needed(res.Lab), c.String("output"), c.App.Writer, makeBase); err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					return nil
				},
			},
			{
				Name:      "load",
				Usage:     "load a file written by swarmgen images save into this host's images",
				ArgsUsage: "FILE",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return userErrorf("swarmgen images load takes one file, e.g. swarmgen images load lab.tar")
					}
					if err := imagebundle.Load(c.Context, c.Args().First(), c.App.Writer); err != nil {
						return cli.Exit(err.Error(), exitUser)
					}
					return nil
				},
			},
		},
	}
}
