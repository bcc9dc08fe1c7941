//go:build !linux

package netfault

import (
	"context"
	"errors"
	"time"
)

// Delayer runs inside a Linux node only (see delayer_linux.go).
type Delayer struct {
	Queue         uint16
	Delay, Jitter time.Duration
}

var errLinuxOnly = errors.New("the delayer runs inside a Linux node only")

// Run fails: netfilter queues are Linux's.
func (Delayer) Run(context.Context) error { return errLinuxOnly }

// StopDelayer fails: netfilter queues are Linux's.
func StopDelayer(string) error { return errLinuxOnly }

// RTT fails: network namespaces are Linux's.
func RTT(context.Context, int, string, int) ([]time.Duration, error) { return nil, errLinuxOnly }
