package model

import (
	"slices"
	"strings"

	"github.com/distribution/reference"

	"github.com/swarmgen/swarmgen/generator/spec"
	"github.com/swarmgen/swarmgen/generator/stack"
)

// MirrorImage is a Docker Hub image that a stack or service names
// (gihyodocker/nginx-proxy:latest): the host pulls it once, or takes it
// from its image store, and pushes it into the lab registry under its Hub
// path, where the nodes' engines find it through --registry-mirror. The
// stack files keep the Hub name and no node pulls from outside.
type MirrorImage struct {
	Ref        string // as the spec writes it
	Repository string // its Hub path: gihyodocker/nginx-proxy, library/nginx
	// Tag is the reference's tag; for a reference pinned by digest
	// (name@sha256:HEX) it is sha256-HEX, since a push needs a tag: the
	// engine asks the mirror for the digest, not the tag
	Tag     string
	Digest  string // sha256:HEX when the reference is pinned; "" otherwise
	PushRef string // localhost:5000/gihyodocker/nginx-proxy:latest
}

// RegistryMirror is what the nodes' engines take as --registry-mirror:
// the lab registry, consulted for every Docker Hub name.
const RegistryMirror = "http://" + spec.RegistryHost

// mirrorImages sorts the images that stacks and services name from
// outside the lab registry into the Docker Hub ones, which the lab
// registry mirrors, and the others (another registry's: ghcr.io/...),
// which the nodes can only pull from there. Sorted, each once.
func (l *Lab) mirrorImages(stacks []*stack.Stack) {
	var names []string
	for _, st := range stacks {
		for _, w := range st.Workloads {
			names = append(names, w.Image)
		}
	}
	for _, s := range l.Services {
		names = append(names, s.Image)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	own := map[string]bool{spec.RegistryHost: true, l.Registry.PullHost: true, l.Registry.PushHost: true}
	for _, name := range names {
		if name == "" || strings.Contains(name, "$") {
			continue // interpolated at deploy time: nothing to know here
		}
		named, err := reference.ParseNormalizedNamed(name)
		if err != nil {
			continue // stack validation reports a bad reference
		}
		domain := reference.Domain(named)
		if own[domain] || own[strings.SplitN(name, "/", 2)[0]] {
			continue
		}
		if domain != "docker.io" {
			l.OutsideImages = append(l.OutsideImages, name)
			continue
		}
		m := MirrorImage{Ref: name, Repository: reference.Path(named)}
		if c, ok := named.(reference.Canonical); ok {
			m.Digest = c.Digest().String()
			m.Tag = strings.Replace(m.Digest, ":", "-", 1)
		} else {
			m.Tag = reference.TagNameOnly(named).(reference.Tagged).Tag()
		}
		m.PushRef = l.Registry.PushHost + "/" + m.Repository + ":" + m.Tag
		l.MirrorImages = append(l.MirrorImages, m)
	}
}
