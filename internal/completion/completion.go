// Package completion gives swarmgen's shell completion scripts. Bash and
// zsh ask swarmgen itself for candidates (urfave/cli's hidden
// --generate-bash-completion flag, on when the app has
// EnableBashCompletion), so they follow the commands and flags of the
// binary that is installed; fish gets urfave/cli's static script.
package completion

import (
	_ "embed"
	"fmt"

	"github.com/urfave/cli/v2"
)

var (
	//go:embed swarmgen.bash
	bash string
	//go:embed swarmgen.zsh
	zsh string
)

// Shells are the shells Script has a script for.
var Shells = []string{"bash", "zsh", "fish"}

// Script is the completion script of app for shell.
func Script(app *cli.App, shell string) (string, error) {
	switch shell {
	case "bash":
		return bash, nil
	case "zsh":
		return zsh, nil
	case "fish":
		return app.ToFishCompletion()
	}
	return "", fmt.Errorf("no completion for shell %q (there is one for %v)", shell, Shells)
}
