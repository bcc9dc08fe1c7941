package inputfile

import (
	"bytes"
	"errors"
)

// MaxPasswordBytes bounds a password file: a password is one line.
const MaxPasswordBytes = 4096

// ReadPassword reads a password file (a regular file of at most
// MaxPasswordBytes): its one line, without the final newline an editor
// adds. Errors say what is wrong with the file, never what it holds.
func ReadPassword(path string) (string, error) {
	data, err := Read(path, MaxPasswordBytes)
	if err != nil {
		return "", err
	}
	return Password(data)
}

// Password is the password a file's content holds, as ReadPassword reads
// it; bootstrap.sh puts the content into the secret as it is, and the
// visualizer reads the secret with this same rule.
func Password(data []byte) (string, error) {
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	switch {
	case len(data) == 0:
		return "", errors.New("is empty; write the password into it, on one line")
	case bytes.ContainsAny(data, "\n\r"):
		return "", errors.New("holds more than one line; write only the password into it, on one line")
	case bytes.IndexByte(data, 0) >= 0:
		return "", errors.New("holds a NUL byte, which is not text; write only the password into it, on one line")
	}
	return string(data), nil
}
