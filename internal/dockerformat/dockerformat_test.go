package dockerformat

import (
	"strings"
	"testing"
	"text/template"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
)

// docker parses --format with text/template: a format that does not parse
// would fail only when the script runs.
func TestFormatsParse(t *testing.T) {
	for name, f := range byName {
		// docker's own template functions (github.com/docker/cli/templates)
		docker := template.FuncMap{"json": func(any) string { return "" }}
		if _, err := template.New(name).Funcs(docker).Parse(f); err != nil {
			t.Errorf("format %q = %s: %v", name, f, err)
		}
	}
}

func TestNamed(t *testing.T) {
	if f, err := Named("service-owner"); err != nil || !strings.Contains(f, `"`+ownlabels.Hash+`"`) {
		t.Errorf(`Named("service-owner") = %q, %v; want the format reading label %s`, f, err, ownlabels.Hash)
	}
	if f, err := Named("swarm-membership"); err != nil || !strings.HasPrefix(f, byName["swarm-state"]+" ") || !strings.HasSuffix(f, " "+clusterID) {
		t.Errorf(`Named("swarm-membership") = %q, %v; want swarm-state ... cluster-id`, f, err)
	}
	if _, err := Named("no-such-format"); err == nil || !strings.Contains(err.Error(), `"no-such-format"`) {
		t.Errorf("an unknown name gives %v; want an error naming it", err)
	}
}
