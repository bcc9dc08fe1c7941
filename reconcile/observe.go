package reconcile

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/runner"
)

// Observe reads the running lab: nodes and labels, the lab's networks,
// stacks and standalone services, and which images the registry already
// holds as they are on the host. With nodesOnly it reads the nodes alone,
// which is all the refusals need.
func Observe(ctx context.Context, l *model.Lab, c runner.Cluster, nodesOnly bool) (*Observed, error) {
	o := &Observed{Stacks: map[string]string{}, Services: map[string]string{}, Images: map[string]bool{}, Stale: map[string]bool{}}
	st, err := c.Nodes(ctx)
	if errors.Is(err, runner.ErrNoManager) {
		return o, nil // not running: everything is to be created
	}
	if err != nil {
		return nil, err
	}
	o.Running = true
	for _, n := range st.Nodes {
		o.Nodes = append(o.Nodes, Node{Name: n.Name, Role: n.Role, State: n.State, Labels: n.Labels})
	}
	if nodesOnly {
		return o, nil
	}
	on := func(args ...string) string { // a failed read is read as nothing there
		out, _ := runner.Exec(ctx, st.Leader, args...)
		return strings.TrimSpace(out)
	}
	o.Networks = fields(on("docker", "network", "ls", "--filter", "label=dev.swarmgen.network", "--format", "{{.Name}}"))
	for _, name := range fields(on("docker", "stack", "ls", "--format", "{{.Name}}")) {
		// "NAME HASH", written by bootstrap.sh when it deployed the stack
		line := on("cat", "/var/lib/docker/swarmgen/stack-"+name+".line")
		if _, hash, ok := strings.Cut(line, " "); ok { // stacks without one are not swarmgen's
			o.Stacks[name] = hash
		}
	}
	for _, name := range fields(on("docker", "service", "ls", "--format", "{{.Name}}")) {
		if hash := on("docker", "service", "inspect", "--format", `{{index .Spec.Labels "dev.swarmgen.hash"}}`, name); hash != "" {
			o.Services[name] = hash
		}
	}
	for _, img := range l.Images {
		o.Images[img.RegistryRef] = pushed(ctx, l, img)
		if img.Build != "" && !img.Prepared && rebuilt(ctx, c.Dir, img) {
			o.Stale[img.RegistryRef] = true
		}
	}
	return o, nil
}

// rebuilt reports whether building the image's context now gives another
// image than the one last built and pushed (the host's PushRef). The build
// is docker's own, so an unchanged context is a cache hit and takes a
// moment; it changes nothing in the lab.
func rebuilt(ctx context.Context, dir string, img model.Image) bool {
	last, err := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Id}}", img.PushRef).Output()
	if err != nil {
		return false // never built here: it is pushed anyway
	}
	build := filepath.Join(dir, filepath.FromSlash(img.Build))
	now, err := exec.CommandContext(ctx, "docker", "build", "--quiet", "-f", filepath.Join(build, img.Dockerfile), build).Output()
	if err != nil {
		return true // up will build it and show docker's error
	}
	return strings.TrimSpace(string(now)) != strings.TrimSpace(string(last))
}

func fields(s string) []string { return strings.Fields(s) }

// pushed reports whether the registry holds the host's image under its
// name: the registry's digest is among the local image's repo digests.
func pushed(ctx context.Context, l *model.Lab, img model.Image) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	url := "http://" + l.Registry.PushHost + "/v2/" + img.Repository + "/manifests/" + img.Tag
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return false
	}
	for _, t := range []string{
		"application/vnd.docker.distribution.manifest.v2+json",
		"application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.oci.image.manifest.v1+json",
		"application/vnd.oci.image.index.v1+json",
	} {
		req.Header.Add("Accept", t)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	digest := resp.Header.Get("Docker-Content-Digest")
	if resp.StatusCode != http.StatusOK || digest == "" {
		return false
	}
	local := img.Source
	if local == "" {
		local = img.PushRef
	}
	out, err := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", local).Output()
	if err != nil {
		return false
	}
	want := strings.TrimSuffix(img.PushRef, ":"+img.Tag) + "@" + digest
	for _, d := range strings.Fields(string(out)) {
		if d == want {
			return true
		}
	}
	return false
}
