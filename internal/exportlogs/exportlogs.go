// Package exportlogs gathers what a bug report about a lab needs into a
// folder or a tarball: swarmgen export-logs, as kind export logs.
package exportlogs

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/swarmgen/swarmgen/generator/output"
	"github.com/swarmgen/swarmgen/internal/dockercli"
	"github.com/swarmgen/swarmgen/internal/lab"
)

// Export gathers what a bug report needs, as `kind export logs` does:
// each node's engine log and docker info, node and service inspect, task
// lists, and the generated files. A target ending in .tar.gz becomes a
// tarball; anything else a folder.
func Export(ctx context.Context, c lab.Cluster, target string) error {
	dir := target
	tarball := strings.HasSuffix(target, ".tar.gz") || strings.HasSuffix(target, ".tgz")
	if tarball {
		tmp, err := os.MkdirTemp("", "swarmgen-logs-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	save := func(name string, args ...string) {
		out, err := dockercli.Run(ctx, args...)
		if err != nil {
			out += "\n" + err.Error() + "\n"
		}
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(out), 0o644)
	}
	names := make([]string, 0, len(c.Containers))
	for n := range c.Containers {
		names = append(names, n)
	}
	sort.Strings(names)
	// a machine's engine, through its endpoint: no container log to read
	saveOn := func(name, node string, args ...string) {
		out, err := dockercli.RunEnv(ctx, c.MachineEnv[node], args...)
		if err != nil {
			out += "\n" + err.Error() + "\n"
		}
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(out), 0o644)
	}
	for _, n := range names {
		ctr := c.Containers[n]
		if c.MachineEnv != nil {
			saveOn(n+"/docker-info.txt", ctr, "info")
			saveOn(n+"/containers.txt", ctr, "ps", "-a", "--no-trunc")
			continue
		}
		save(n+"/container.log", "logs", "--timestamps", ctr)
		save(n+"/docker-info.txt", "exec", ctr, "docker", "info")
		save(n+"/containers.txt", "exec", ctr, "docker", "ps", "-a", "--no-trunc")
	}
	switch {
	case c.MachineEnv == nil:
		save("registry/container.log", "logs", "--timestamps", c.Registry)
	case c.RegistryMachine != "":
		saveOn("registry/container.log", c.RegistryMachine, "logs", "--timestamps", c.Registry)
	}
	if a, err := c.Swarm().Leader(ctx); err == nil {
		saveJSON := func(name string, v any, err error) {
			data, _ := json.MarshalIndent(v, "", "  ")
			if err != nil {
				data = []byte(err.Error())
			}
			p := filepath.Join(dir, name)
			_ = os.MkdirAll(filepath.Dir(p), 0o755)
			_ = os.WriteFile(p, append(data, '\n'), 0o644)
		}
		saveJSON("swarm/nodes.json", a.Nodes, nil)
		services, err := a.Client.Services(ctx)
		saveJSON("swarm/services.json", services, err)
		tasks, err := a.Client.Tasks(ctx, false)
		saveJSON("swarm/tasks.json", tasks, err)
		a.Client.Close()
		// docker's own tables, for reading: task errors ("no suitable node")
		if c.MachineEnv != nil {
			args := []string{"service", "ps", "--no-trunc"}
			for _, s := range services {
				args = append(args, s.Spec.Name)
			}
			if len(services) > 0 {
				saveOn("swarm/tasks.txt", a.Leader, args...)
			}
			saveOn("swarm/networks.txt", a.Leader, "network", "ls")
		} else {
			save("swarm/tasks.txt", "exec", a.Leader, "sh", "-c", "for s in $(docker service ls -q); do docker service ps --no-trunc $s; done")
			save("swarm/networks.txt", "exec", a.Leader, "docker", "network", "ls")
		}
	}
	if err := copyGenerated(c.Dir, filepath.Join(dir, "generated")); err != nil {
		return err
	}
	if tarball {
		return writeTarball(dir, target)
	}
	return nil
}

// copyGenerated copies the generated files of the lab's directory into
// the bundle. Only regular files are copied, never followed: a link there
// (stack/notes.yml -> ~/.aws/credentials) would put a file from elsewhere
// into a bundle that CI uploads. What is left out is listed, by name, in
// the bundle's generated/NOT-COPIED.txt.
func copyGenerated(from, to string) error {
	var skipped []string
	var notOwn *output.NotOwnError
	for _, pattern := range []string{"docker-compose.yml", "bootstrap.sh", "teardown.sh", "stack/*.yml"} {
		if strings.HasPrefix(pattern, "stack/") {
			if st, err := os.Lstat(filepath.Join(from, "stack")); err != nil || !st.IsDir() {
				if err == nil {
					skipped = append(skipped, (&output.NotOwnError{Path: "stack", Mode: st.Mode()}).Error())
				}
				continue
			}
		}
		matches, _ := filepath.Glob(filepath.Join(from, pattern))
		for _, m := range matches {
			rel, _ := filepath.Rel(from, m)
			data, err := output.ReadOwn(m)
			if errors.As(err, &notOwn) {
				notOwn.Path = rel
				skipped = append(skipped, notOwn.Error())
				continue
			}
			if err != nil {
				return err
			}
			p := filepath.Join(to, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
		}
	}
	if len(skipped) == 0 {
		return nil
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(to, "NOT-COPIED.txt"), []byte(strings.Join(skipped, "\n")+"\n"), 0o644)
}

func writeTarball(dir, target string) error {
	f, err := os.Create(target)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := output.ReadOwn(p) // the bundle holds only files it wrote
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: "swarmgen-logs/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}
