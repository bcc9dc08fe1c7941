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
