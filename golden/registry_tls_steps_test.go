package golden

import (
	"strings"
	"testing"
)

// A lab of machines with registry.address (an existing registry, TLS as
// docker reaches it first): in_registry asks it over https, so an image
// it holds is not pushed again, and plan is empty; a registry without
// TLS is still asked over http.
func TestRegistryAddressOverTLS(t *testing.T) {
	const body = `in_registry app reg.example.com:5000/app:1 app 1 && echo held || echo missing`
	for _, tc := range []struct{ name, scheme, want string }{
		{"a TLS registry", "https", "held"},
		{"a registry without TLS", "http", "held"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$CMD $*" in
  "curl "*" ` + tc.scheme + `://reg.example.com:5000/v2/app/manifests/1") printf 'HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:abc\r\n' ;;
  "curl "*) exit 35 ;; # no answer in that protocol
  "docker image inspect --format "*" app") echo "reg.example.com:5000/app@sha256:abc" ;;
esac`
			out, calls, err := runScript(t, t.TempDir(), scriptPart(t, "machines-registry-address", body), nil, scenario, "curl")
			if err != nil || !strings.Contains(out, tc.want) {
				t.Errorf("%v, want %q:\n%s\ncalls:\n%s", err, tc.want, out, calls)
			}
			if !strings.Contains(calls, "curl -fsSI") || !strings.Contains(strings.SplitN(calls, "curl -fsSI", 2)[1], "https://reg.example.com:5000/v2/app/manifests/1") {
				t.Errorf("the registry was not asked over https first; calls:\n%s", calls)
			}
		})
	}
}
