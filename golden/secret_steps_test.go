package golden

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/shell"
)

// secretScenario is a manager (the classic lab's) whose swarm holds the
// secret versions listed in $STUB_DIR/have ("NAME SALT" lines) and the
// secret lines of $STUB_DIR/listing in its read; secret create (on p-m1,
// the leader the cases set) keeps what came on its stdin.
const secretScenario = `case "$*" in
    "exec manager sh -c "*"t=\$(mktemp -d)"*) echo "from manager"; echo "state manager active id-m C"; echo "node id-m manager Ready Leader"
      awk 'NF { print "secret", $1, "visualizer-auth", $2 }' "$STUB_DIR/have" 2>/dev/null; cat "$STUB_DIR/listing" 2>/dev/null; true ;;
    "exec -i p-m1 docker secret create "*) cat >"$STUB_DIR/stdin"; echo some-id ;;
    "exec p-m1 docker secret rm "*) ;;
    "exec -e SWARMGEN_VISUALIZER_SECRET p-m1 sh -c "*"docker stack deploy "*) echo "the deploy saw SWARMGEN_VISUALIZER_SECRET=$SWARMGEN_VISUALIZER_SECRET" ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`

func saltedDigest(salt, content string) string {
	sum := sha256.Sum256([]byte(salt + content))
	return hex.EncodeToString(sum[:])[:16]
}

// runSecret runs secret_version on a password file with content, against
// a swarm that has the versions in have; it returns the output, the docker
// calls and what secret create got on stdin.
func runSecret(t *testing.T, content, have, body string) (out, calls, stdin string, err error) {
	t.Helper()
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	scenario := "printf '%s' " + shell.Quote(have) + " >\"$STUB_DIR/have\"\n" + secretScenario
	out, calls, err = runScenario(t, scenario, "LEADER=p-m1 PW="+shell.Quote(pw)+"\n"+body)
	stdinFile := regexp.MustCompile(`(?m)^STDIN=(.*)$`).FindStringSubmatch(out)
	if stdinFile != nil {
		b, _ := os.ReadFile(stdinFile[1])
		stdin = string(b)
	}
	return out, calls, stdin, err
}

const secretBody = `SWARMGEN_VERBOSE=1
secret_version visualizer-auth "$PW"
echo "VERSION=$SECRET_VERSION"
echo "STDIN=$STUB_DIR/stdin"
`

// A password file's secret: created once (the content on stdin, never on
// a command line or in the output), kept while the file is unchanged, a
// new version when it changed; plan mode prints and changes nothing.
func TestSecretVersion(t *testing.T) {
	const password = "correct-horse-battery"
	created := regexp.MustCompile(`(?m)^exec -i p-m1 docker secret create --label dev\.swarmgen\.secret=visualizer-auth --label dev\.swarmgen\.salt=([0-9a-f]{32}) (visualizer-auth-[0-9a-f]{16}) -$`)
	noLeak := func(t *testing.T, out, calls string) {
		t.Helper()
		if strings.Contains(out, "horse") || strings.Contains(calls, "horse") {
			t.Errorf("the password is shown:\noutput:\n%s\ncalls:\n%s", out, calls)
		}
	}

	t.Run("new", func(t *testing.T) {
		out, calls, stdin, err := runSecret(t, password+"\n", "", secretBody)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		m := created.FindStringSubmatch(calls)
		if m == nil || strings.Count(calls, "secret create") != 1 {
			t.Fatalf("no single secret create; calls:\n%s", calls)
		}
		if m[2] != "visualizer-auth-"+saltedDigest(m[1], password+"\n") || !strings.Contains(out, "VERSION="+m[2]+"\n") {
			t.Errorf("version %s is not named by the salted digest of the content:\n%s", m[2], out)
		}
		if stdin != password+"\n" {
			t.Errorf("secret create got %q on stdin", stdin)
		}
		if !strings.Contains(out, "secret visualizer-auth created ("+m[2]+")") {
			t.Errorf("output:\n%s", out)
		}
		noLeak(t, out, calls)
	})

	const salt = "00112233445566778899aabbccddeeff"
	current := "visualizer-auth-" + saltedDigest(salt, password+"\n")
	t.Run("unchanged", func(t *testing.T) {
		// an older version (of another content) is listed too
		have := "visualizer-auth-0000000000000000 ffeeddccbbaa99887766554433221100\n" + current + " " + salt + "\n"
		out, calls, _, err := runSecret(t, password+"\n", have, secretBody)
		if err != nil || strings.Contains(calls, "secret create") || !strings.Contains(out, "VERSION="+current+"\n") || !strings.Contains(out, "secret visualizer-auth unchanged") {
			t.Errorf("an unchanged file: %v\n%s\ncalls:\n%s", err, out, calls)
		}
	})

	t.Run("changed", func(t *testing.T) {
		out, calls, stdin, err := runSecret(t, "a-new-password\n", current+" "+salt+"\n", secretBody)
		m := created.FindStringSubmatch(calls)
		if err != nil || m == nil || m[2] == current || m[2] != "visualizer-auth-"+saltedDigest(m[1], "a-new-password\n") || stdin != "a-new-password\n" {
			t.Errorf("a changed file: %v\n%s\ncalls:\n%s", err, out, calls)
		}
		if !strings.Contains(out, "VERSION="+m[2]+"\n") {
			t.Errorf("SECRET_VERSION is not the new version:\n%s", out)
		}
	})

	t.Run("plan", func(t *testing.T) {
		for _, tc := range []struct{ have, want string }{
			{"", "plan\t+\tsecret\tvisualizer-auth\tfrom "},
			{"visualizer-auth-0000000000000000 " + salt + "\n", "plan\t~\tsecret\tvisualizer-auth\ta new version from "},
			{current + " " + salt + "\n", ""},
		} {
			out, calls, _, err := runSecret(t, password+"\n", tc.have, "PLAN=1\n"+secretBody)
			if err != nil || strings.Contains(calls, "secret create") {
				t.Errorf("plan mode changed something: %v\n%s\ncalls:\n%s", err, out, calls)
			}
			if tc.want == "" && strings.Contains(out, "plan\t") || tc.want != "" && !strings.Contains(out, tc.want) {
				t.Errorf("plan with %q: want %q in:\n%s", tc.have, tc.want, out)
			}
			noLeak(t, out, calls)
		}
	})
}

// prune removes the versions deploy did not use, and no other secret.
func TestSecretPrune(t *testing.T) {
	listing := "secret visualizer-auth-1111111111111111\nsecret visualizer-auth-2222222222222222\n"
	scenario := "printf '%s' " + shell.Quote(listing) + " >\"$STUB_DIR/listing\"\n" + secretScenario
	out, calls, err := runScenario(t, scenario, `LEADER=p-m1
echo visualizer-auth-2222222222222222 >"$RUN_DIR/secrets"
step prune prune
`)
	if err != nil || !strings.Contains(calls, "exec p-m1 docker secret rm visualizer-auth-1111111111111111\n") || strings.Contains(calls, "rm visualizer-auth-2222") {
		t.Errorf("prune: %v\n%s\ncalls:\n%s", err, out, calls)
	}
	// the spec has no password any more: every version goes
	out, calls, err = runScenario(t, scenario, "LEADER=p-m1\nstep prune prune\n")
	if err != nil || strings.Count(calls, "docker secret rm visualizer-auth-") != 2 {
		t.Errorf("prune without auth: %v\n%s\ncalls:\n%s", err, out, calls)
	}
	out, calls, err = runScenario(t, scenario, "LEADER=p-m1 PLAN=1\nstep prune prune\n")
	if err != nil || strings.Contains(calls, "secret rm") || !strings.Contains(out, "plan\t-\tsecret\tvisualizer-auth-1111111111111111\t") {
		t.Errorf("prune in plan mode: %v\n%s\ncalls:\n%s", err, out, calls)
	}
}

// The stack that mounts the secret is deployed with the version's name in
// the exec's environment, and its recorded hash includes it.
func TestStackDeployWithSecret(t *testing.T) {
	out, calls, err := runScenario(t, secretScenario, `LEADER=p-m1
stack_deploy visualizer visualizer h1-visualizer-auth-abc -e SWARMGEN_VISUALIZER_SECRET=visualizer-auth-abc
`)
	if err != nil || !strings.Contains(calls, "exec -e SWARMGEN_VISUALIZER_SECRET p-m1 sh -c ") ||
		!strings.Contains(calls, deployCall("visualizer", "visualizer")+"h1-visualizer-auth-abc swarmgen-stack-h1-visualizer-auth-abc-visualizer\n") {
		t.Errorf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	// the version's name reaches docker by the exec's environment, not its arguments
	if !strings.Contains(out, "the deploy saw SWARMGEN_VISUALIZER_SECRET=visualizer-auth-abc\n") {
		t.Errorf("the stack deploy did not see the version in its environment:\n%s", out)
	}
	if strings.Contains(calls, "=visualizer-auth-abc") {
		t.Errorf("the version's value is in a command line:\n%s", calls)
	}
}

// The password file is checked before anything runs: there, one line, not
// too large.
func TestPasswordFileCheck(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"ok": "pw\n", "empty": "", "big": strings.Repeat("x", 4097)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{
		"ok":      "",
		"empty":   "holds 0 bytes: write the visualizer's password into it, on one line of at most 4096 bytes (visualizer.auth.password_file, swarm.yaml:9)",
		"big":     "holds 4097 bytes",
		"missing": "is not a file: write the visualizer's password into it, on one line (visualizer.auth.password_file, swarm.yaml:9)",
		".":       "is not a file",
	} {
		out, _, err := runScenario(t, "exit 1", "password_file "+shell.Quote(filepath.Join(dir, name))+" swarm.yaml:9 4096 && echo fine\n")
		if want == "" && (err != nil || !strings.Contains(out, "fine")) || want != "" && (err == nil || !strings.Contains(out, want)) {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}
