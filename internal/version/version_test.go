package version

import (
	"runtime/debug"
	"testing"
)

func TestDescribe(t *testing.T) {
	for _, c := range []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-11-25T14:24:40Z"}, {Key: "vcs.modified", Value: "false"},
		}}, "v0.3.0 (revision 0123abcd, 2026-11-25T14:24:40Z)"},
		{debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261125142440-0123abcd0123+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"},
		}}, "v0.0.0-20261125142440-0123abcd0123+dirty (revision 0123abcd, modified)"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{debug.BuildInfo{}, "(devel)"},
	} {
		if got := Describe(&c.bi); got != c.want {
			t.Errorf("Describe = %q, want %q", got, c.want)
		}
	}
}
