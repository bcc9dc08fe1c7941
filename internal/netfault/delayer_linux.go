package netfault

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The netfilter queue protocol (linux/netfilter/nfnetlink_queue.h): the
// kernel hands each queued packet's id to the process bound to the queue,
// which answers with a verdict; holding the verdict back delays the packet.
const (
	nfnlSubsysQueue  = 3
	nfqnlMsgPacket   = 0
	nfqnlMsgVerdict  = 1
	nfqnlMsgConfig   = 2
	nfqaPacketHdr    = 1
	nfqaVerdictHdr   = 2
	nfqaCfgCmd       = 1
	nfqaCfgParams    = 2
	nfqaCfgMaxlen    = 3
	nfqaCfgMask      = 4
	nfqaCfgFlags     = 5
	cfgCmdBind       = 1
	copyMeta         = 1
	cfgFlagFailOpen  = 1
	nfAccept         = 1
	netlinkNoENOBUFS = 5
)

// Delayer holds each packet of netfilter queue Queue back for Delay ±
// Jitter before letting it go: the slow link of `net delay` on a kernel
// without netem. It runs inside the node's network namespace.
type Delayer struct {
	Queue         uint16
	Delay, Jitter time.Duration
}

// Run serves the queue until ctx ends.
func (d Delayer) Run(ctx context.Context) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return fmt.Errorf("netlink socket: %v", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink bind: %v", err)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 8<<20)
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, netlinkNoENOBUFS, 1)
	s := &nfqSocket{fd: fd, queue: d.Queue}
	bind := make([]byte, 4)
	bind[0] = cfgCmdBind // then a pad byte and pf (unused by bind)
	params := make([]byte, 5)
	binary.BigEndian.PutUint32(params, 0xffff) // copy range: none is copied in meta mode
	params[4] = copyMeta
	maxlen := binary.BigEndian.AppendUint32(nil, 1<<16)
	flags := binary.BigEndian.AppendUint32(nil, cfgFlagFailOpen) // a full queue lets packets through
	for _, attrs := range [][]attr{{{nfqaCfgCmd, bind}}, {{nfqaCfgParams, params}, {nfqaCfgMaxlen, maxlen}, {nfqaCfgMask, flags}, {nfqaCfgFlags, flags}}} {
		if err := s.request(nfqnlMsgConfig, attrs, true); err != nil {
			return fmt.Errorf("binding netfilter queue %d: %v", d.Queue, err)
		}
	}
	// a receive gives up after a while, so that the end of ctx is seen
	// (closing or shutting a netlink socket down does not wake a reader)
	tv := unix.NsecToTimeval(int64(200 * time.Millisecond))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.EAGAIN) {
				continue
			}
			return fmt.Errorf("netlink receive: %v", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			continue
		}
		for _, m := range msgs {
			if m.Header.Type != nfnlSubsysQueue<<8|nfqnlMsgPacket || len(m.Data) < 4 {
				continue
			}
			id, ok := packetID(m.Data[4:])
			if !ok {
				continue
			}
			time.AfterFunc(d.hold(), func() { _ = s.verdict(id) })
		}
	}
}

// hold is how long one packet waits: Delay, varied uniformly by Jitter.
func (d Delayer) hold() time.Duration {
	if d.Jitter <= 0 {
		return d.Delay
	}
	return d.Delay - d.Jitter + time.Duration(rand.Int64N(int64(2*d.Jitter)+1))
}

type attr struct {
	typ  uint16
	data []byte
}

type nfqSocket struct {
	mu    sync.Mutex
	fd    int
	queue uint16
	seq   uint32
}

// request sends one nfnetlink message of the queue subsystem; with ack it
// waits for the kernel's answer (only before packets flow).
func (s *nfqSocket) request(msgType uint16, attrs []attr, ack bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	body := []byte{unix.AF_UNSPEC, 0 /* NFNETLINK_V0 */, byte(s.queue >> 8), byte(s.queue)}
	for _, a := range attrs {
		l := 4 + len(a.data)
		h := make([]byte, 4)
		binary.NativeEndian.PutUint16(h, uint16(l))
		binary.NativeEndian.PutUint16(h[2:], a.typ)
		body = append(append(body, h...), a.data...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	flags := uint16(unix.NLM_F_REQUEST)
	if ack {
		flags |= unix.NLM_F_ACK
	}
	msg := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(body))
	binary.NativeEndian.PutUint32(msg, uint32(unix.NLMSG_HDRLEN+len(body)))
	binary.NativeEndian.PutUint16(msg[4:], nfnlSubsysQueue<<8|msgType)
	binary.NativeEndian.PutUint16(msg[6:], flags)
	binary.NativeEndian.PutUint32(msg[8:], s.seq)
	msg = append(msg, body...)
	if err := unix.Sendto(s.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	if !ack {
		return nil
	}
	buf := make([]byte, 8192)
	n, _, err := unix.Recvfrom(s.fd, buf, 0)
	if err != nil {
		return err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Header.Type == unix.NLMSG_ERROR && len(m.Data) >= 4 {
			if code := int32(binary.NativeEndian.Uint32(m.Data)); code != 0 {
				return unix.Errno(-code)
			}
		}
	}
	return nil
}

func (s *nfqSocket) verdict(id uint32) error {
	v := make([]byte, 8)
	binary.BigEndian.PutUint32(v, nfAccept)
	binary.BigEndian.PutUint32(v[4:], id)
	return s.request(nfqnlMsgVerdict, []attr{{nfqaVerdictHdr, v}}, false)
}

// packetID finds NFQA_PACKET_HDR among a packet message's attributes.
func packetID(b []byte) (uint32, bool) {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:]) &^ (1<<15 | 1<<14) // nested, byte-order flags
		if l < 4 || l > len(b) {
			return 0, false
		}
		if typ == nfqaPacketHdr && l >= 8 {
			return binary.BigEndian.Uint32(b[4:]), true
		}
		l = (l + 3) &^ 3
		if l > len(b) {
			return 0, false
		}
		b = b[l:]
	}
	return 0, false
}

// StopDelayer stops the delayer whose pid pidfile holds, if that process
// is still the delayer (a stale pid may name another process by now), and
// waits until it is gone.
func StopDelayer(pidfile string) error {
	b, err := os.ReadFile(pidfile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return fmt.Errorf("%s holds no pid: %q", pidfile, b)
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil || filepath.Dir(strings.TrimSuffix(exe, " (deleted)")) != filepath.Dir(pidfile) {
		return os.Remove(pidfile) // not the delayer any more
	}
	if err := unix.Kill(pid, unix.SIGTERM); err != nil {
		return nil
	}
	for i := 0; i < 50; i++ {
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err != nil || strings.Contains(string(st), ") Z ") {
			return nil // gone, or a zombie for its parent to reap
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the delayer (pid %d) did not stop within 5s", pid)
}
