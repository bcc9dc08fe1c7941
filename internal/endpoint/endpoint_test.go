package endpoint

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct{ bind, host, sans string }{
		{"127.0.0.1", "127.0.0.1", "DNS:localhost,IP:127.0.0.1,IP:::1"},
		{"0.0.0.0", "127.0.0.1", "DNS:localhost,IP:127.0.0.1,IP:::1"},
		{"192.0.2.7", "192.0.2.7", "DNS:localhost,IP:127.0.0.1,IP:::1,IP:192.0.2.7"},
	} {
		if got := HostAddr(tc.bind); got != tc.host {
			t.Errorf("HostAddr(%s) = %s, want %s", tc.bind, got, tc.host)
		}
		if got := SANs(tc.bind); got != tc.sans {
			t.Errorf("SANs(%s) = %s, want %s", tc.bind, got, tc.sans)
		}
	}
	if ContextName("") != "swarmgen" || ContextName("lab-a") != "swarmgen-lab-a" {
		t.Errorf("context names: %q %q", ContextName(""), ContextName("lab-a"))
	}
}

// swarmgen env's variables are recognised, so swarmgen run from such a
// shell still manages labs on the host's engine; another TLS setup is not.
func TestFromLabEnv(t *testing.T) {
	for path, want := range map[string]bool{
		"/home/u/lab/.swarmgen/tls/client":  true,
		"/home/u/lab/.swarmgen/tls/client/": true,
		"/home/u/.docker/machine/certs":     false,
		"":                                  false,
	} {
		if got := FromLabEnv(path); got != want {
			t.Errorf("FromLabEnv(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	stubdocker.New(t, `case "$*" in
    "port lab-manager 2376/tcp") printf '0.0.0.0:49160\n[::]:49160\n' ;;
    *) echo "Error: No public port '2376/tcp' published for $2" >&2; exit 1 ;;
  esac`).Use(t)
	dir := t.TempDir()
	env, err := Lookup(context.Background(), "lab-manager", "0.0.0.0", dir)
	if err != nil {
		t.Fatal(err)
	}
	if env.Host != "tcp://127.0.0.1:49160" || env.CertPath != filepath.Join(dir, CertDir, "client") {
		t.Errorf("env = %+v", env)
	}
	if _, err := Lookup(context.Background(), "other", "127.0.0.1", dir); err == nil || !strings.Contains(err.Error(), "swarmgen up") {
		t.Errorf("no port published: err = %v", err)
	}
}

// The contexts swarmgen registers are told from the user's own, so that
// DOCKER_CONTEXT from swarmgen env of a lab of machines is dropped.
func TestIsLabContext(t *testing.T) {
	for name, want := range map[string]bool{
		ContextName(""): true, ContextName("fleet"): true,
		"default": false, "lab-w2": false, "swarmgenx": false, "": false,
	} {
		if got := IsLabContext(name); got != want {
			t.Errorf("IsLabContext(%q) = %v, want %v", name, got, want)
		}
	}
}
