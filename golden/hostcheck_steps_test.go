package golden

import (
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/shell"
)

// The host check covers a published UDP port as well as a TCP one: a UDP
// socket bound on the port, or a container publishing it over UDP, stops
// up; a TCP mapping of the same number does not.
func TestHostCheckUDPPorts(t *testing.T) {
	const body = `
HOST_PORTS=( 5000 5353/udp ) PLAN=0 ROUTING_MESH=false
containers_host_check && echo free
`
	for _, tc := range []struct{ name, ps, udp, want string }{
		{"free", "", "", "free"},
		{"a UDP socket on the port", "", "UNCONN 0 0 0.0.0.0:5353 0.0.0.0:*", "host port 5353/udp is already in use"},
		{"a container publishing it over UDP", "other 0.0.0.0:5353->53/udp, :::5353->53/udp", "", "host port 5353/udp is already published by container other"},
		{"a TCP mapping of the same number", "other 0.0.0.0:5353->53/tcp", "", "free"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$CMD $*" in
  "docker ps -a --format "*) printf '%s\n' ` + shell.Quote(tc.ps) + ` | sed '/^$/d; s/^\([^ ]*\)/- \1 0123 running/' ;;
  "ss -Hlun sport = :5353") printf '%s\n' ` + shell.Quote(tc.udp) + ` | sed '/^$/d' ;;
  "ss "*) ;;
  *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
esac`
			out, calls, err := runScenario(t, scenario, body, "ss")
			if !strings.Contains(out, tc.want) || (tc.want == "free") != (err == nil) {
				t.Errorf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			if !strings.Contains(calls, "ss -Hlun sport = :5353") && tc.ps == "" {
				t.Errorf("the UDP port was not checked; calls:\n%s", calls)
			}
		})
	}
}
