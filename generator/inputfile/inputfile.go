// Package inputfile decides which files a spec may make swarmgen read, and
// reads them: only regular files (never /dev/zero or a FIFO, which would
// never end), only up to a size, and only inside the spec's directory
// unless the user allowed more, so that a spec from elsewhere cannot reach
// /etc/shadow or ~/.ssh and echo them in its errors.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Policy is what the user allowed.
type Policy struct {
	// AllowOutside lets a spec name files and directories outside its own
	// directory (set by the --allow-outside-spec-dir flag).
	AllowOutside bool
}

// AllowOutsideFlag is the name of the command-line flag that sets
// AllowOutside, for messages that tell the user about it.
const AllowOutsideFlag = "allow-outside-spec-dir"

// ErrOutside is returned for a path outside the spec's directory.
var ErrOutside = errors.New("outside the spec's directory")

// Resolve returns the path of name (as the spec gives it: relative to
// specDir, or absolute) after checking it stays inside specDir once every
// symlink is followed. A missing file is not an error here: the caller's
// own read or stat reports it.
func (p Policy) Resolve(specDir, name string) (string, error) {
	full := name
	if !filepath.IsAbs(full) {
		full = filepath.Join(specDir, full)
	}
	if p.AllowOutside {
		return full, nil
	}
	base, err := filepath.EvalSymlinks(specDir)
	if err != nil {
		return "", err
	}
	base, err = filepath.Abs(base)
	if err != nil {
		return "", err
	}
	real, err := evalExisting(full)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(base, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", ErrOutside
	}
	return full, nil
}

// evalExisting resolves the symlinks of path's longest existing part and
// appends the rest: a file not there yet is judged by the directory it
// would be made in (link-to-etc/new is outside, though new is not there).
func evalExisting(path string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		parent := filepath.Dir(path)
		if parent == path {
			return filepath.Join(path, rest), nil
		}
		rest = filepath.Join(filepath.Base(path), rest)
		path = parent
	}
}

// Check applies the rule of every file a spec names: the path (relative
// to baseDir, or absolute) is resolved through its symlinks, must stay
// inside specDir unless the policy allows more, and must be a regular
// file of at most max bytes. It returns the path to read; an error
// wrapping fs.ErrNotExist when nothing is there.
func (p Policy) Check(specDir, baseDir, name string, max int64) (string, error) {
	full := name
	if !filepath.IsAbs(full) {
		full = filepath.Join(baseDir, full)
	}
	full, err := filepath.Abs(full)
	if err != nil {
		return "", err
	}
	if _, err := p.Resolve(specDir, full); err != nil {
		return "", err
	}
	return full, regular(full, os.Stat, max)
}

// Reason is what is wrong with a file, for a message that already names
// it: the error without the path an *os.PathError repeats.
func Reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// TooLargeError is a file over the size limit.
type TooLargeError struct{ Size, Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("is %d bytes; at most %d are read", e.Size, e.Max)
}

// Read reads the regular file path, refusing anything else (a device, a
// FIFO, a directory) and files larger than max bytes.
func Read(path string, max int64) ([]byte, error) {
	// stat before opening: opening a FIFO blocks until someone writes
	if err := regular(path, os.Stat, max); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := regular(path, func(string) (os.FileInfo, error) { return f.Stat() }, max); err != nil {
		return nil, err // replaced since the first look
	}
	// the file may grow between Stat and ReadAll
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{int64(len(data)), max}
	}
	return data, nil
}

func regular(path string, stat func(string) (os.FileInfo, error), max int64) error {
	st, err := stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("is not a regular file but %s", kind(st.Mode()))
	}
	if st.Size() > max {
		return &TooLargeError{st.Size(), max}
	}
	return nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
