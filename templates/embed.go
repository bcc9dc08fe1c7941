// Package templates holds the text/template files swarmgen renders. They
// only read the model: every decision is made in Go before rendering.
package templates

import "embed"

// FS holds every template.
//
//go:embed *.tmpl
var FS embed.FS
