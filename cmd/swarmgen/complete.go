package main

import (
	"context"
	"time"

	"github.com/swarmgen/swarmgen/internal/completion"
	"github.com/swarmgen/swarmgen/internal/lab"
)

// completionWords are the words to complete when args ask for completion:
// `swarmgen __complete WORD...` (the scripts), or urfave/cli's
// --generate-bash-completion anywhere (the scripts of older versions),
// which must never reach the parser: after a `--` it was an argument and
// the command ran.
func completionWords(args []string) ([]string, bool) {
	if len(args) >= 2 && args[1] == completion.Command {
		return args[2:], true
	}
	for i, a := range args {
		if i > 0 && a == completion.LegacyFlag {
			words := append([]string(nil), args[1:i]...)
			if n := len(words); n == 0 || !isFlag(words[n-1]) {
				words = append(words, "") // the old scripts sent a word being typed only if a flag
			}
			return words, true
		}
	}
	return nil, false
}

// labNames are the labs on this host, for --lab's value; none if docker
// does not answer within two seconds (a TAB must not hang).
func labNames() []string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	labs, err := lab.List(ctx)
	if err != nil {
		return nil
	}
	var names []string
	for _, l := range labs {
		names = append(names, l.Name)
	}
	return names
}
