// Package shell quotes values for bash, so nothing from a spec is ever
// parsed as shell syntax.
package shell

import "strings"

// Quote returns s as one single-quoted bash word. Inside single quotes
// bash interprets nothing, and a quote in s is closed, escaped and
// reopened, so every byte of s reaches the command literally.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// InDoubleQuotes returns s escaped for the inside of a double-quoted bash
// word: a backslash before each of \ " $ and `, the characters bash
// interprets there, so s reaches the command literally.
func InDoubleQuotes(s string) string {
	return dqEscaper.Replace(s)
}

var dqEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
