package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/swarmgen/swarmgen/generator/inputfile"
)

func TestVisualizerShapes(t *testing.T) {
	tests := []struct {
		src  string
		want Visualizer
	}{
		{"", Visualizer{}},
		{"visualizer: builtin\n", Visualizer{Image: "builtin"}},
		{"visualizer: dockersamples/visualizer\n", Visualizer{Image: "dockersamples/visualizer"}},
		{"visualizer: {}\n", Visualizer{Image: "builtin", FromMapping: true}},
		{"visualizer:\n  auth: {user: admin, password_file: pw}\n", Visualizer{Image: "builtin", FromMapping: true, Auth: &VisualizerAuth{User: "admin", PasswordFile: "pw"}}},
		{"visualizer:\n  image: builtin\n", Visualizer{Image: "builtin", FromMapping: true}},
	}
	for _, tt := range tests {
		s, _ := parse(t, header+tt.src)
		ApplyDefaults(s)
		if !reflect.DeepEqual(s.Visualizer, tt.want) {
			t.Errorf("%q: %+v, want %+v", tt.src, s.Visualizer, tt.want)
		}
	}
}

// The password file: inside the spec's directory, a regular file of one
// line; its content is never in a message.
func TestVisualizerAuthValidation(t *testing.T) {
	const password = "hunter2-do-not-echo"
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("pw", password+"\n")
	write("crlf", password+"\r\n")
	write("empty", "")
	write("newline-only", "\n")
	write("two-lines", password+"\n"+password+"\n")
	write("big", strings.Repeat(password, 1000))
	write("sub/pw", password)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "pw"), []byte(password), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "pw"), filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "a-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := func(image, user, file string) string {
		return header + "visualizer:\n  image: " + image + "\n  auth:\n    user: " + user + "\n    password_file: " + file + "\n"
	}
	check := func(src string, policy inputfile.Policy) []string {
		t.Helper()
		s, pos, diags := Parse("swarm.yaml", []byte(src))
		if s == nil {
			return lines(diags)
		}
		ApplyDefaults(s)
		diags.Extend(Validate(s, "swarm.yaml", dir, pos, policy))
		got := lines(diags.Sorted())
		for _, l := range got {
			if strings.Contains(l, "hunter2") {
				t.Errorf("a message quotes the password file: %s", l)
			}
		}
		return got
	}
	const at = "swarm.yaml:7:20: visualizer.auth.password_file: "
	tests := []struct {
		name, src string
		want      []string
	}{
		{"valid", spec("builtin", "admin", "pw"), nil},
		{"windows line end", spec("builtin", "admin", "crlf"), nil},
		{"in a subdirectory", spec("builtin", "ops@lab.example", "./sub/pw"), nil},
		{"missing file warns", spec("builtin", "admin", "nope"), []string{
			"swarm.yaml:7:20: warning: visualizer.auth.password_file: nope does not exist yet; write the visualizer's password into it before swarmgen up"}},
		{"empty", spec("builtin", "admin", "empty"), []string{at + "empty is empty; write the password into it, on one line"}},
		{"only a newline", spec("builtin", "admin", "newline-only"), []string{at + "newline-only is empty; write the password into it, on one line"}},
		{"two lines", spec("builtin", "admin", "two-lines"), []string{at + "two-lines holds more than one line; write only the password into it, on one line"}},
		{"too large", spec("builtin", "admin", "big"), []string{at + "big is 19000 bytes; at most 4096 are read; a password file holds one line"}},
		{"a directory", spec("builtin", "admin", "a-dir"), []string{at + "a-dir is not a regular file but a directory"}},
		{"a fifo", spec("builtin", "admin", "fifo"), []string{at + "fifo is not a regular file but a named pipe"}},
		{"outside", spec("builtin", "admin", "../pw"), []string{at + `"../pw" is outside the spec's directory, which a spec may not read from; move it beside the spec, or run swarmgen with --allow-outside-spec-dir if you trust this spec`}},
		{"symlink out", spec("builtin", "admin", "link-out"), []string{at + `"link-out" is outside the spec's directory, which a spec may not read from; move it beside the spec, or run swarmgen with --allow-outside-spec-dir if you trust this spec`}},
		{"option-like", spec("builtin", "admin", "'-pw'"), nil}, // relative paths are written as ./-pw; missing: below
		{"user with a colon", spec("builtin", "'ad:min'", "pw"), []string{`swarm.yaml:6:11: visualizer.auth.user: "ad:min": a user name is 1 to 64 letters, digits and . _ @ -`}},
		{"no user", header + "visualizer:\n  auth: {password_file: pw}\n", []string{`swarm.yaml:4:9: visualizer.auth.user: give the user name the page asks for, e.g. user: admin`}},
		{"third-party image", spec("dockersamples/visualizer", "admin", "pw"), []string{
			"swarm.yaml:4:10: warning: visualizer.image: dockersamples/visualizer gets a manager's Docker socket, which is control of that node and the swarm (:ro limits nothing on a socket); use builtin, which only reads, or an image you trust",
			"swarm.yaml:6:5: visualizer.auth: only the builtin visualizer reads a password; dockersamples/visualizer would serve without one: use image: builtin, or remove auth and put that image behind a proxy that asks for one"}},
		{"wrong type", header + "visualizer: 3\n", []string{"swarm.yaml:3:13: visualizer: must be builtin, an image, or a mapping with image and auth; got the number 3"}},
		{"unknown auth field", header + "visualizer:\n  auth: {user: a, password: x}\n", []string{
			`swarm.yaml:4:9: visualizer.auth.password_file: give the file that holds the password, e.g. password_file: visualizer-password`,
			`swarm.yaml:4:19: visualizer.auth.password: unknown field (known fields: password_file, user)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(tt.src, inputfile.Policy{})
			if tt.name == "option-like" {
				if len(got) != 1 || !strings.Contains(got[0], "-pw does not exist yet") {
					t.Errorf("got %q", got)
				}
				return
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if got := check(spec("builtin", "admin", "link-out"), inputfile.Policy{AllowOutside: true}); got != nil {
		t.Errorf("--allow-outside-spec-dir: %q", got)
	}
}

// A visualizer served without a password beyond this host is warned
// about: bind_address not loopback, or any lab of machines.
func TestVisualizerOpenWarning(t *testing.T) {
	const open = "is served without a password"
	for src, warn := range map[string]bool{
		"visualizer: builtin\n":                                                                false,
		"visualizer: builtin\nbind_address: 0.0.0.0\n":                                         true,
		"visualizer: builtin\nbind_address: 192.0.2.7\n":                                       true,
		"visualizer: builtin\nbind_address: 127.0.0.2\n":                                       false,
		"visualizer:\n  auth: {user: a, password_file: pw}\nbind_address: 0.0.0.0\n":           false,
		"visualizer: builtin\nmanagers:\n  - {name: m1, context: prod, address: 192.0.2.11}\n": true,
	} {
		got := false
		for _, d := range diagnostics(t, header+src).Warnings() {
			if strings.Contains(d.Msg, open) {
				got = true
			}
		}
		if got != warn {
			t.Errorf("%q: open warning %v, want %v", src, got, warn)
		}
	}
}
