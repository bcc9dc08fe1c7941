package model

import "regexp"

// BuiltinBaseRepository is where each release publishes the image that the
// builtin images (echo, the visualizer) are made from: its static Linux
// swarmgen binary for amd64 and arm64, FROM scratch. A standalone
// bootstrap.sh (no swarmgen on the machine) makes the builtin images from
// it, taken from the host's image store (swarmgen images load) or pulled.
const BuiltinBaseRepository = "ghcr.io/swarmgen/swarmgen"

// BuiltinBaseDevel is the base image's name for a swarmgen that is no
// release: only `swarmgen up` (or images save) of that very binary makes
// it, in the host's image store; no registry has it.
const BuiltinBaseDevel = "swarmgen/swarmgen:devel"

var releaseVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// BuiltinBase is the base image of the builtin images for a swarmgen of
// version (its module version), and whether a release published it.
func BuiltinBase(version string) (image string, published bool) {
	if releaseVersion.MatchString(version) {
		return BuiltinBaseRepository + ":" + version, true
	}
	return BuiltinBaseDevel, false
}
