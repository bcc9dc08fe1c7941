package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/generator/model"
	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// The classroom bundle's lab: a name and ports of its own (its subnet is
// the private engine's erSubnet, the one its FORWARD rule lets through).
const (
	bundleLab          = "e2e-bundle"
	bundleRegistryPort = 15044
	bundleEchoPort     = 18044
	bundleVizPort      = 19044
)

// bundleHubImages are the Docker Hub images of the default `init` spec,
// each made here from the offline image that stands in for it: what a
// trainer's machine with a connection has once it pulled them.
var bundleHubImages = map[string]string{
	"registry:3.0.0":                 "swarmgen-e2e/registry:3",
	"docker:28.5.2-dind":             "swarmgen-e2e/dind:bookworm",
	"gihyodocker/nginx-proxy:latest": "swarmgen-e2e/nginx-proxy:latest",
}

// TestImagesBundle: the classroom. The default `swarmgen init` spec, with
// its Docker Hub image names as written, is saved into one file by
// `swarmgen images save` on a machine that has the images (here a private
// engine given the offline stand-ins under the Hub names); then that
// engine is emptied of every image, as a laptop that never pulled one,
// `swarmgen images load` puts the bundle in, and `swarmgen up` brings the
// lab up on a machine that reaches no registry. No node pulls from
// outside: the nodes' engines take the lab registry as their mirror, it
// served them the Hub image the stack names, and no node's engine tried
// Docker Hub. Only what this machine needs is changed in the spec: no
// privileged containers, no routing mesh, the echo service on the manager
// (host mode), and a name, ports and subnet of its own.
func TestImagesBundle(t *testing.T) {
	needEngine(t)
	dockerd := needPrivateEngine(t)
	setup := time.Now()
	var sources []string
	for _, src := range bundleHubImages {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	e := startPrivateEngine(t, dockerd, sources)
	h := newHarness(t, "", e.env()...)
	for hub, src := range bundleHubImages {
		e.docker("tag", src, hub)
	}
	t.Cleanup(func() {
		// the stand-ins' names back on the bundle's images (the same IDs),
		// so the private engine's cache holds them for the next run
		for hub, src := range bundleHubImages {
			_, _ = e.tryDocker("tag", hub, src)
		}
	})
	t.Logf("TIMING setup (lock, private engine, images, go build): %s", time.Since(setup).Round(time.Millisecond))

	runIn(t, h, "init", "--force")
	raw, err := os.ReadFile(filepath.Join(h.dir, "swarm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?m)^(  port: )[0-9]+ `).ReplaceAllString(string(raw), fmt.Sprintf("${1}%d ", bundleRegistryPort))
	for _, r := range [][2]string{
		{"# name: lab-a ", "name: " + bundleLab + " #"},
		{"# routing_mesh: true ", "routing_mesh: false #"},
		{"privileged: true ", "privileged: false "},
		{`"8000:8000"`, fmt.Sprintf(`"%d:8000"`, bundleEchoPort)},
		{`"9000:9000"`, fmt.Sprintf(`"%d:9000"`, bundleVizPort)},
		{"    replicas: 1\n", "    replicas: 1\n    constraints: [node.role == manager]\n"},
		{"\nregistry:\n", "\nlab_network:\n  subnet: " + erSubnet + "\n\nregistry:\n"},
	} {
		if !strings.Contains(text, r[0]) {
			t.Fatalf("the starter spec has no %q any more; update this test:\n%s", r[0], text)
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	for hub := range bundleHubImages {
		if !strings.Contains(text, "image: "+hub+"\n") {
			t.Fatalf("the starter spec does not name %s any more; update this test:\n%s", hub, text)
		}
	}
	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	// the trainer's machine: every image into one file
	bundle := filepath.Join(t.TempDir(), "lab.tar")
	start := time.Now()
	out := runIn(t, h, "images", "save", "-o", bundle)
	t.Logf("TIMING images save: %s", time.Since(start).Round(time.Millisecond))
	want := []string{"docker:28.5.2-dind", "gihyodocker/nginx-proxy:latest", "registry:3.0.0", model.BuiltinBaseDevel}
	if !strings.Contains(out, fmt.Sprintf("wrote %s: %d images", bundle, len(want))) {
		t.Errorf("images save does not say it wrote the %d images:\n%s", len(want), out)
	}

	// a laptop that never pulled anything: no image at all, then the bundle
	// (the tagged images first: their build's parents go with them)
	for _, all := range []string{"-q", "-aq"} {
		if ids := e.docker("image", "ls", all); ids != "" {
			e.docker(append([]string{"rmi", "-f"}, uniq(strings.Fields(ids))...)...)
		}
	}
	if left := e.docker("image", "ls", "-aq"); left != "" {
		t.Fatalf("the private engine still has images: %s", left)
	}
	start = time.Now()
	runIn(t, h, "images", "load", bundle)
	t.Logf("TIMING images load: %s", time.Since(start).Round(time.Millisecond))
	// the engine's image events are what the check of no pull below reads
	if loads := e.docker("events", "--since", fmt.Sprint(start.Unix()-1), "--until", fmt.Sprint(time.Now().Unix()+1),
		"--filter", "type=image", "--filter", "event=load", "--format", "{{.Actor.ID}}"); len(strings.Fields(loads)) < len(want) {
		t.Errorf("the engine's events show %d image loads, not the bundle's %d:\n%s", len(strings.Fields(loads)), len(want), loads)
	}
	have := strings.Fields(e.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}"))
	slices.Sort(have)
	if !slices.Equal(have, want) {
		t.Errorf("after images load the engine has %v; want the bundle's %v", have, want)
	}

	start = time.Now()
	out = h.must("up", "--wait", "4m")
	t.Logf("TIMING up from the bundle: %s", time.Since(start).Round(time.Millisecond))
	// the laptop's engine pulled nothing: up needs no network
	if pulls := e.docker("events", "--since", fmt.Sprint(start.Unix()-1), "--until", fmt.Sprint(time.Now().Unix()+1),
		"--filter", "type=image", "--filter", "event=pull", "--format", "{{.Actor.ID}}"); pulls != "" {
		t.Errorf("the engine pulled images during up, which the bundle should have held:\n%s", pulls)
	}
	if !strings.Contains(out, fmt.Sprintf("http://127.0.0.1:%d", bundleEchoPort)) {
		t.Errorf("the summary does not name the echo URL:\n%s", out)
	}
	checkEchoAt(t, fmt.Sprintf("http://127.0.0.1:%d/", bundleEchoPort), "up from the bundle")
	if _, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/", bundleVizPort)); err != nil {
		t.Errorf("the visualizer (builtin, FROM the bundle's base): %v", err)
	}
	h.waitFor("the stack's Hub image running on the workers", time.Minute, converged("echo_nginx", "echo_api"))
	checkNoPullFromOutside(t, h, e)
}

// checkNoPullFromOutside: the stack's service keeps its Hub name, every
// node's engine has the lab registry as its mirror, every node running the
// Hub image fetched its manifest from the lab registry (the registry's
// access log names the node's address), and no node's engine went to
// Docker Hub: with a mirror that fails, the engine tries
// registry-1.docker.io next and its log says so ("Attempting next
// endpoint"; for the lab registry itself that line is only its https to
// http fallback).
func checkNoPullFromOutside(t *testing.T, h *harness, e *privateEngine) {
	t.Helper()
	const hub = "gihyodocker/nginx-proxy:latest"
	if img, _ := h.swarmgen("docker", "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", "echo_nginx"); !strings.HasPrefix(strings.TrimSpace(img), hub) {
		t.Errorf("the stack's nginx service runs %q, not the Hub name the stack file gives", img)
	}
	registry := e.docker("ps", "-q", "--filter", "label="+ownlabels.Lab+"="+bundleLab, "--filter", "label=com.docker.compose.service=registry")
	// 10.246.6.20 - - [...] "GET /v2/gihyodocker/nginx-proxy/manifests/sha256:... HTTP/1.1" 200 ...
	get := regexp.MustCompile(`(?m)^(\S+) \S+ \S+ \[[^]]*\] "GET /v2/gihyodocker/nginx-proxy/manifests/\S+ HTTP/[0-9.]+" 200 `)
	served := map[string]bool{}
	for _, m := range get.FindAllStringSubmatch(e.docker("logs", registry), -1) {
		served[m[1]] = true
	}
	var nodes []string
	for _, role := range []string{"manager", "worker"} {
		nodes = append(nodes, strings.Fields(e.docker("ps", "--filter", "label="+ownlabels.Lab+"="+bundleLab, "--filter", "label="+ownlabels.Role+"="+role, "--format", "{{.Names}}"))...)
	}
	if len(nodes) != 4 {
		t.Fatalf("want the 4 nodes of the lab, found %v", nodes)
	}
	running := 0 // nodes running the Hub image
	for _, node := range nodes {
		if mirrors := e.docker("exec", node, "docker", "info", "--format", "{{json .RegistryConfig.Mirrors}}"); !strings.Contains(mirrors, model.RegistryMirror) {
			t.Errorf("node %s's engine has the mirrors %s, not the lab registry %s", node, mirrors, model.RegistryMirror)
		}
		// a task of the stack's nginx service runs there: the node's engine
		// pulled the Hub image (by the digest the deploy pinned)
		if tasks := e.docker("exec", node, "docker", "ps", "-q", "--filter", "label=com.docker.swarm.service.name=echo_nginx"); tasks != "" {
			running++
			addr := e.docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", node)
			if !served[addr] {
				t.Errorf("node %s (%s) runs %s, but the lab registry served its manifest only to %v", node, addr, hub, served)
			}
		}
		logs := e.docker("logs", node)
		if !strings.Contains(logs, "API listen on") {
			t.Errorf("node %s's log is not its dockerd's:\n%s", node, logs)
		}
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, "registry-1.docker.io") || strings.Contains(line, "index.docker.io") ||
				(strings.Contains(line, "Attempting next endpoint") && !strings.Contains(line, "//"+spec.RegistryHost+"/")) {
				t.Errorf("node %s's engine tried to pull from outside the lab:\n%s", node, line)
			}
		}
	}
	if running < 1 {
		t.Errorf("no node runs a task of the stack's nginx service (%s)", hub)
	}
	t.Logf("%d nodes run %s; the lab registry served its manifest to %v", running, hub, served)
}

// runIn runs swarmgen with args as written (no -f or -o added), in the
// lab's directory, with h's environment.
func runIn(t *testing.T, h *harness, args ...string) string {
	t.Helper()
	cmd := exec.Command(h.bin, args...)
	cmd.Dir, cmd.Env = h.dir, append(os.Environ(), h.env...)
	out, err := cmd.CombinedOutput()
	t.Logf("$ swarmgen %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("swarmgen %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

func uniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
