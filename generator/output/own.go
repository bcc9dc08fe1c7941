package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxOwnFileBytes bounds a file read back from the output directory: a
// generated file of a lab of MaxNodes nodes is far smaller.
const MaxOwnFileBytes = 64 << 20

// NotOwnError is an entry of the output directory that swarmgen did not
// write: a symlink, a FIFO, a device, a socket (or, where a file belongs,
// a directory). swarmgen never follows or opens one there, so that a link
// placed in the output directory cannot make render --check print, or
// export-logs copy, a file from elsewhere, nor a FIFO make it hang.
type NotOwnError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotOwnError) Error() string {
	return fmt.Sprintf("%s is %s, not a file swarmgen wrote: the output directory is swarmgen's, and it never follows a link or opens a special file there; remove it (or render into another directory)", e.Path, modeText(e.Mode))
}

func modeText(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// ReadOwn reads a file of the output directory, refusing anything but a
// regular file (a *NotOwnError) without following or opening it. A
// missing file is an error that wraps fs.ErrNotExist.
func ReadOwn(path string) ([]byte, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotOwnError{path, st.Mode()}
	}
	// O_NOFOLLOW and O_NONBLOCK: swapped for a link or a FIFO since Lstat,
	// it is still neither followed nor waited on
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, &NotOwnError{path, fs.ModeSymlink}
		}
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotOwnError{path, st.Mode()}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxOwnFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxOwnFileBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes, more than swarmgen writes; remove it", path, MaxOwnFileBytes)
	}
	return data, nil
}

// ownDir checks that the directory path of the output directory is a
// directory itself, not a link to one, or is not there yet.
func ownDir(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !st.IsDir():
		return &NotOwnError{path, st.Mode()}
	}
	return nil
}
