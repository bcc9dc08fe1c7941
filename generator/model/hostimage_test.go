package model

import "testing"

// swarmgen load names a host image in the lab registry as images[].source
// would, pushed where the host reaches the registry (localhost for a
// loopback or wildcard bind address, which an engine trusts without TLS).
func TestHostImage(t *testing.T) {
	for _, tc := range []struct{ bind, source, push, pull string }{
		{"127.0.0.1", "myapp:1.0", "localhost:15001/myapp:1.0", "registry:5000/myapp:1.0"},
		{"0.0.0.0", "ghcr.io/o/tool", "localhost:15001/o/tool:latest", "registry:5000/o/tool:latest"},
		{"192.168.1.20", "redis:7", "192.168.1.20:15001/redis:7", "registry:5000/redis:7"},
	} {
		img, err := HostImage(tc.source, Registry{PushHost: PushHost(tc.bind, "15001"), PullHost: "registry:5000"})
		if err != nil {
			t.Errorf("%s: %v", tc.source, err)
			continue
		}
		if img.PushRef != tc.push || img.RegistryRef != tc.pull {
			t.Errorf("%s bound on %s: push %s, pull %s; want %s, %s", tc.source, tc.bind, img.PushRef, img.RegistryRef, tc.push, tc.pull)
		}
	}
	for _, bad := range []string{"-rm", "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		if _, err := HostImage(bad, Registry{PushHost: "localhost:1", PullHost: "registry:5000"}); err == nil {
			t.Errorf("%s is taken", bad)
		}
	}
}
