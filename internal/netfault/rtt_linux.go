package netfault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// RTT measures, from inside the network namespace of process pid (a task
// container's), the round trips of count TCP connects to addr: a connect
// to a closed port is answered by a reset, one round trip as well, so any
// address of a task serves whatever its image listens on.
func RTT(ctx context.Context, pid int, addr string, count int) ([]time.Duration, error) {
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	// the thread enters the namespace and is thrown away afterwards (never
	// unlocked), so no other goroutine runs in the task's namespace
	runtime.LockOSThread()
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
		return nil, fmt.Errorf("entering the network namespace of process %d: %v", pid, err)
	}
	var rtts []time.Duration
	for i := 0; i < count; i++ {
		start := time.Now()
		d := net.Dialer{Timeout: 5 * time.Second}
		c, err := d.DialContext(ctx, "tcp", addr)
		took := time.Since(start)
		switch {
		case err == nil:
			c.Close()
		case errors.Is(err, syscall.ECONNREFUSED):
		default:
			return rtts, fmt.Errorf("connect to %s: %v", addr, err)
		}
		rtts = append(rtts, took)
		time.Sleep(100 * time.Millisecond)
	}
	return rtts, nil
}
