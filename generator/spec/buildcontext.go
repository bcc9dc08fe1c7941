package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/swarmgen/swarmgen/generator/diag"
	"github.com/swarmgen/swarmgen/generator/inputfile"
)

// errContextTooLarge stops the walk of a build context at MaxBuildContextEntries.
var errContextTooLarge = errors.New("too many entries")

// buildContextEntries checks every entry of a build context: bootstrap.sh
// checksums the context (following links) to know whether to build it
// again, and docker build sends it to the engine. A FIFO or a device would
// make either hang or read forever, and a symlink out of the context would
// carry a file from elsewhere into the digest. It returns the first
// problem, as a message that names the entry, never what it holds.
func buildContextEntries(dir string, files inputfile.Policy) string {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Sprintf("cannot be read: %v", inputfile.Reason(err))
	}
	count := 0
	problem := ""
	err = filepath.WalkDir(real, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(real, path)
		rel = filepath.ToSlash(rel)
		if err != nil {
			problem = fmt.Sprintf("holds %s, which cannot be read: %v", diag.Quote(rel), inputfile.Reason(err))
			return filepath.SkipAll
		}
		if count++; count > MaxBuildContextEntries {
			return errContextTooLarge
		}
		switch t := d.Type(); {
		case t.IsDir() || t.IsRegular():
			return nil
		case t&fs.ModeSymlink != 0:
			if p := contextLink(real, path, files); p != "" {
				problem = fmt.Sprintf("holds %s, a symlink %s", diag.Quote(rel), p)
				return filepath.SkipAll
			}
			return nil
		default:
			problem = fmt.Sprintf("holds %s, which is not a regular file but %s; a build context holds files, directories and links to them", diag.Quote(rel), typeText(t))
			return filepath.SkipAll
		}
	})
	if errors.Is(err, errContextTooLarge) {
		return fmt.Sprintf("holds more than %d files and directories; build from a smaller directory (docker build sends all of it to the engine)", MaxBuildContextEntries)
	}
	return problem
}

// contextLink says what is wrong with the symlink at path in the context
// real, or "" when it leads to a file or directory inside the context
// (outside it, with --allow-outside-spec-dir).
func contextLink(real, path string, files inputfile.Policy) string {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "to nothing; remove it or make its target"
	}
	rel, err := filepath.Rel(real, target)
	if !files.AllowOutside && (err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))) {
		return fmt.Sprintf("out of the build context, which a spec may not read from; copy the file into the context, or run swarmgen with --%s if you trust this spec", inputfile.AllowOutsideFlag)
	}
	st, err := os.Stat(target)
	if err != nil {
		return "that cannot be followed: " + inputfile.Reason(err)
	}
	if !st.Mode().IsRegular() && !st.IsDir() {
		return fmt.Sprintf("to %s, which is no regular file; a build context holds files, directories and links to them", typeText(st.Mode().Type()))
	}
	return ""
}

func typeText(m fs.FileMode) string {
	switch {
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}
