package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Docker Desktop (and colima, OrbStack) runs the engine in a VM whose
// container addresses the host cannot route to: everything swarmgen does
// from the host must reach a node through docker (exec, the CLI) or a port
// published on the bind address, never through a container's IP.

// notHostSide are the trees that do not run on the host against a lab:
// the generator (which writes addresses into the lab's own files), tests'
// helpers, the end-to-end tests and benchmarks, and code run in the nodes.
var notHostSide = []string{"generator/", "templates/", "e2e/", "golden/", "examples/", "bench/", "internal/testkit/", "internal/echoserver", "internal/viz/web/"}

// inLab are the uses of a node's lab address that stay inside the lab,
// by file: each one given to a node's own engine, never dialled.
var inLab = map[string]int{
	// Cluster.Address, for recover: the surviving manager's
	// --advertise-addr, passed to `docker swarm init --force-new-cluster`
	// run in its container
	"internal/lab/find.go":   1,
	"cmd/swarmgen/status.go": 1, // recover's call of Cluster.Address
	// swarmgen net: the lab subnet and each node's lab address become
	// iptables rules inside the nodes' own namespaces
	"cmd/swarmgen/net.go":      1,
	"internal/netfault/lab.go": 6,
	// drill slow-overlay: a task's overlay address, probed from another
	// task over the overlay network
	"internal/drill/overlay.go": 2,
}

// containerIPUses lists, in one Go file, what reads a container's address:
// docker inspect formats of its networks, and the lab model's node and
// registry addresses (fields Address and Subnet).
func containerIPUses(fset *token.FileSet, f *ast.File) []string {
	var uses []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				s, _ := strconv.Unquote(x.Value)
				for _, word := range []string{"IPAddress", "NetworkSettings", "IPAMConfig", ".Gateway"} {
					if strings.Contains(s, word) {
						uses = append(uses, fmt.Sprintf("%s: %q reads a container's address", fset.Position(x.Pos()), s))
						break
					}
				}
			}
		case *ast.SelectorExpr:
			if x.Sel.Name == "Address" || x.Sel.Name == "Subnet" {
				uses = append(uses, fmt.Sprintf("%s: .%s is a lab address", fset.Position(x.Pos()), x.Sel.Name))
			}
		}
		return true
	})
	return uses
}

func TestContainerIPUsesAreFound(t *testing.T) {
	src := `package p
func f(n Node) { dial(n.Address); run("docker", "inspect", "--format", "{{.NetworkSettings.Networks}}") }`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if uses := containerIPUses(fset, f); len(uses) != 2 {
		t.Errorf("found %d uses, want 2 (n.Address, NetworkSettings): %q", len(uses), uses)
	}
}

// No host-side Go code reads a container's IP, save the listed in-lab uses.
func TestNoHostSideCommandUsesAContainerIP(t *testing.T) {
	root := "../.."
	counts := map[string]int{}
	var bad []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			for _, skip := range notHostSide {
				if strings.HasPrefix(rel+"/", skip) {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		for _, use := range containerIPUses(fset, f) {
			counts[rel]++
			if counts[rel] > inLab[rel] {
				bad = append(bad, use)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, use := range bad {
		t.Errorf("%s: host-side code must reach a node through docker or a published port on the bind address (Docker Desktop's VM does not route to container addresses)", use)
	}
	for file, n := range inLab {
		if counts[file] != n {
			t.Errorf("%s: %d uses of a lab address, the list says %d: update inLab", file, counts[file], n)
		}
	}
}
