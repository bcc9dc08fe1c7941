// Package version says which swarmgen this is, from what the Go toolchain
// records in every binary it builds: the module version (the tag for
// `go install ...@v1.2.3`, a pseudo-version when built in a git checkout)
// and the VCS revision. Nothing is set by hand (-ldflags), so a binary
// cannot claim a version it was not built from.
package version

import (
	"runtime/debug"
	"strings"
)

// String is the version line of this binary, e.g.
// "v0.3.0 (revision 0123abcd..., 2026-11-25T14:24:40Z)".
func String() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown: built without module support)"
	}
	return Describe(bi)
}

// Describe is the version line of a build: the main module's version, then
// the revision, its commit time and "modified" for a dirty working tree,
// when the build recorded them (`go build` in a git checkout does; `go
// run` and -buildvcs=false do not).
func Describe(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var vcs []string
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev)
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if settings["vcs.modified"] == "true" {
		vcs = append(vcs, "modified")
	}
	if len(vcs) == 0 {
		return v
	}
	return v + " (" + strings.Join(vcs, ", ") + ")"
}

// Module is this binary's module version: a tag (v1.2.3), a
// pseudo-version, or "(devel)" for a build in a source tree.
func Module() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}
