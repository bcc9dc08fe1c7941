package golden

import (
	"strings"
	"testing"
)

// host_kind tells where the host's engine runs from one docker info
// (OperatingSystem|Name), and the preflight says once what differs in a VM.
func TestHostKind(t *testing.T) {
	for _, tc := range []struct{ info, kind string }{
		{"Docker Desktop|docker-desktop", "docker-desktop"},
		{"OrbStack|whatever", "orbstack"},
		{"Ubuntu 24.04 LTS|orbstack", "orbstack"},
		{"Ubuntu 24.04.1 LTS|colima", "colima"},
		{"Ubuntu 24.04.1 LTS|colima-work", "colima"},
		{"Alpine Linux v3.20|lima-rancher-desktop", "rancher-desktop"},
		{"Debian GNU/Linux 12 (bookworm)|build-host", "linux"},
		{"", "unknown"},
	} {
		t.Run(tc.kind+"/"+tc.info, func(t *testing.T) {
			scenario := `case "$*" in
    "info --format {{.OperatingSystem}}|{{.Name}}") [ -n "$INFO" ] || { echo "Cannot connect to the Docker daemon" >&2; exit 1; }; echo "$INFO" ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
			out, calls, err := runScenario(t, scenario, "export INFO='"+tc.info+"'\necho \"kind=$(host_kind)\"\nhost_vm_note \"$(host_kind)\"\n")
			if err != nil || !strings.Contains(out, "kind="+tc.kind+"\n") || strings.Count(calls, "info ") != 2 {
				t.Fatalf("want kind=%s from one docker info a call: %v\n%s\ncalls:\n%s", tc.kind, err, out, calls)
			}
			vm := tc.kind != "linux" && tc.kind != "unknown"
			if got := strings.Contains(out, "note: Docker runs in a VM here ("+tc.kind+"): privileged dind and cgroup v2 work there"); got != vm {
				t.Errorf("VM note: %v, want %v:\n%s", got, vm, out)
			}
		})
	}
}

// The note is the first up's: once the lab's registry runs, the host
// check asks no docker info.
func TestHostKindOnTheFirstUpOnly(t *testing.T) {
	for _, tc := range []struct {
		name, ps string
		asked    bool
	}{
		{"no lab yet", "other 0.0.0.0:8080->80/tcp", true},
		{"another lab's registry", "x-registry 0.0.0.0:5001->5000/tcp\nother-registry 0.0.0.0:5002->5000/tcp", true},
		{"the lab's registry", "other 0.0.0.0:8080->80/tcp\nREG 0.0.0.0:5000->5000/tcp", false},
		{"the lab's registry first", "REG 0.0.0.0:5000->5000/tcp", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$CMD $*" in
  "docker ps -a --format "*) printf '%s\n' "$PS" | sed 's/^\([^ ]*\)/- \1 0123 running/' ;;
  "docker info --format {{.OperatingSystem}}|{{.Name}}") echo "Docker Desktop|docker-desktop" ;;
  "ss "*) ;;
  *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
esac`
			ps := strings.ReplaceAll(tc.ps, "REG ", "$REGISTRY ")
			out, calls, err := runScenario(t, scenario, "PS=\""+ps+"\"\nexport PS\nHOST_PORTS=() PLAN=0 ROUTING_MESH=false\ncontainers_host_check && echo checked\n", "ss")
			if err != nil || !strings.Contains(out, "checked") {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			if got := strings.Contains(calls, "info --format"); got != tc.asked {
				t.Errorf("docker info asked: %v, want %v\ncalls:\n%s", got, tc.asked, calls)
			}
			if got := strings.Contains(out, "note: Docker runs in a VM here (docker-desktop)"); got != tc.asked {
				t.Errorf("VM note: %v, want %v:\n%s", got, tc.asked, out)
			}
		})
	}
}
