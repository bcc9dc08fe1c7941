// Package stubdocker puts a stand-in `docker` command on PATH for tests of
// code that shells out to docker (the generated bootstrap.sh, the runner):
// it logs every call and answers as a scenario says, so a test states what
// the engines answer (slow, partial, changing from call to call) and
// checks which commands were run and which never were.
package stubdocker

import (
	"os"
	"path/filepath"
	"testing"
)

// script logs the call (newlines folded, one call a line; a command other
// than docker with its name first) and sources the scenario, which sees the
// call in "$*", the command in $CMD, and may use `nth KEY`: how many times
// KEY was asked, this call included.
const script = `#!/usr/bin/env bash
CMD=${0##*/}
call="$*"
[ "$CMD" = docker ] || call="$CMD $call"
printf '%s\n' "${call//$'\n'/ }" >>"$STUB_DIR/calls"
nth() { local f="$STUB_DIR/n-$1" n; n=$(($(cat "$f" 2>/dev/null || echo 0) + 1)); echo "$n" >"$f"; echo "$n"; }
. "$STUB_DIR/scenario.sh"
`

// Stub is an installed stand-in docker.
type Stub struct{ Dir string }

// New writes the stand-in docker and its scenario (bash, typically a
// `case "$*" in ... esac`) into a temporary directory; the commands named
// in also (e.g. curl) are stood in for by the same script and scenario.
func New(t testing.TB, scenario string, also ...string) *Stub {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"docker": script, "scenario.sh": scenario + "\n"}
	for _, name := range also {
		files[name] = script
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &Stub{Dir: dir}
}

// Env is the environment of a process that runs the stand-in as docker.
func (s *Stub) Env() []string {
	// (DOCKER_CONFIG: no plugin or context of this host's docker reaches the script)
	return append(os.Environ(), "PATH="+s.Dir+string(os.PathListSeparator)+os.Getenv("PATH"), "STUB_DIR="+s.Dir, "DOCKER_CONFIG="+filepath.Join(s.Dir, "docker-config"))
}

// Use makes the stand-in this test process's docker.
func (s *Stub) Use(t *testing.T) {
	t.Setenv("PATH", s.Dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("STUB_DIR", s.Dir)
	t.Setenv("DOCKER_CONFIG", filepath.Join(s.Dir, "docker-config"))
}

// Calls are the docker calls made so far, one a line.
func (s *Stub) Calls() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "calls"))
	return string(b)
}
