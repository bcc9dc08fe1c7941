package model

import (
	"fmt"
	"testing"

	"github.com/swarmgen/swarmgen/generator/stack"
	"github.com/swarmgen/swarmgen/generator/workload"
)

func TestMirrorImages(t *testing.T) {
	l := &Lab{Registry: Registry{PushHost: "localhost:5001", PullHost: "registry:5000"},
		Services: []Service{{Image: "nginx"}, {Image: "registry:5000/yutsuki/echo:latest"}}}
	st := &stack.Stack{Workloads: []workload.Workload{
		{Image: "gihyodocker/nginx-proxy:latest"},
		{Image: "docker.io/library/redis:7"},
		{Image: "nginx"}, // twice: once in the list
		{Image: "alpine@sha256:" + fmt.Sprintf("%064x", 1)},
		{Image: "ghcr.io/acme/tool:1"},
		{Image: "localhost:5001/mine:1"},
		{Image: "${IMAGE}"},
	}}
	l.mirrorImages([]*stack.Stack{st})
	got := fmt.Sprint(l.MirrorImages)
	want := fmt.Sprint([]MirrorImage{
		{Ref: "alpine@sha256:" + fmt.Sprintf("%064x", 1), Repository: "library/alpine", Tag: "sha256-" + fmt.Sprintf("%064x", 1), Digest: "sha256:" + fmt.Sprintf("%064x", 1), PushRef: "localhost:5001/library/alpine:sha256-" + fmt.Sprintf("%064x", 1)},
		{Ref: "docker.io/library/redis:7", Repository: "library/redis", Tag: "7", PushRef: "localhost:5001/library/redis:7"},
		{Ref: "gihyodocker/nginx-proxy:latest", Repository: "gihyodocker/nginx-proxy", Tag: "latest", PushRef: "localhost:5001/gihyodocker/nginx-proxy:latest"},
		{Ref: "nginx", Repository: "library/nginx", Tag: "latest", PushRef: "localhost:5001/library/nginx:latest"},
	})
	if got != want {
		t.Errorf("MirrorImages =\n%s\nwant\n%s", got, want)
	}
	if fmt.Sprint(l.OutsideImages) != "[ghcr.io/acme/tool:1]" {
		t.Errorf("OutsideImages = %v; want [ghcr.io/acme/tool:1]", l.OutsideImages)
	}
}

func TestBuiltinBase(t *testing.T) {
	for v, want := range map[string]string{
		"v1.2.3":                             "ghcr.io/swarmgen/swarmgen:v1.2.3 true",
		"v1.2.3-rc1":                         "swarmgen/swarmgen:devel false",
		"v0.0.0-20261125142440-0123abcd0123": "swarmgen/swarmgen:devel false",
		"v1.2.3+dirty":                       "swarmgen/swarmgen:devel false",
		"(devel)":                            "swarmgen/swarmgen:devel false",
	} {
		img, pub := BuiltinBase(v)
		if got := fmt.Sprint(img, " ", pub); got != want {
			t.Errorf("BuiltinBase(%q) = %s; want %s", v, got, want)
		}
	}
}
