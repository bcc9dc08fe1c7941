// Package completion gives swarmgen's shell completion scripts. Each asks
// swarmgen itself for candidates (`swarmgen __complete WORD...`, see
// Candidates), so they follow the commands and flags of the binary that is
// installed, and complete lab names and spec files too.
package completion

import (
	_ "embed"
	"fmt"
)

var (
	//go:embed swarmgen.bash
	bash string
	//go:embed swarmgen.zsh
	zsh string
	//go:embed swarmgen.fish
	fish string
)

// Shells are the shells Script has a script for.
var Shells = []string{"bash", "zsh", "fish"}

// Script is the completion script of app for shell.
func Script(shell string) (string, error) {
	switch shell {
	case "bash":
		return bash, nil
	case "zsh":
		return zsh, nil
	case "fish":
		return fish, nil
	}
	return "", fmt.Errorf("no completion for shell %q (there is one for %v)", shell, Shells)
}
