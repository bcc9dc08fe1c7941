package e2e

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// lockPath serialises e2e runs on one machine: the tests share lab names,
// host ports and the host's engine, so a second `go test ./e2e` (another
// worktree, another shell) waits here instead of breaking the first.
const lockPath = "/tmp/swarmgen-e2e.lock"

// lockFile holds the lock for the life of the process: a file only TestMain
// referred to would be closed by its finalizer once collected, and the lock
// with it, in the middle of the run.
var lockFile *os.File

func TestMain(m *testing.M) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o666)
	lockFile = f
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot open %s: %v\n", lockPath, err)
		os.Exit(2)
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		start := time.Now()
		fmt.Fprintf(os.Stderr, "e2e: another e2e run holds %s; waiting for it\n", lockPath)
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: lock %s: %v\n", lockPath, err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "e2e: got %s after %s\n", lockPath, time.Since(start).Round(time.Second))
	}
	os.Exit(m.Run()) // the lock goes with the process (lockFile keeps it till then)
}
