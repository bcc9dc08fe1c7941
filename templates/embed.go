// Package templates holds the text/template files swarmgen renders. They
// only read the model: every decision is made in Go before rendering.
package templates

import "embed"

// FS holds every template. bootstrap/ holds one file a step of
// bootstrap.sh (bootstrap.sh.tmpl includes them by their base name, which
// names a template).
//
//go:embed *.tmpl bootstrap/*.tmpl
var FS embed.FS
