package main

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// openTerminal opens a pseudo-terminal and returns its terminal side.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("SKIPPED: no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		t.Fatal(errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Fatal(errno)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pts.Close() })
	return pts
}

// Colour and spinners need a terminal and no NO_COLOR.
func TestStyledHonoursNoColor(t *testing.T) {
	term := openTerminal(t)
	t.Setenv("NO_COLOR", "")
	if !styled(term) {
		t.Error("a terminal without NO_COLOR is not styled")
	}
	_, pipe, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0) // a character device, not a terminal
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []any{&bytes.Buffer{}, pipe, null} {
		if styled(w) {
			t.Errorf("%v is not a terminal but styled", w)
		}
	}
	t.Setenv("NO_COLOR", "1")
	if styled(term) {
		t.Error("NO_COLOR=1 on a terminal is styled")
	}
}
