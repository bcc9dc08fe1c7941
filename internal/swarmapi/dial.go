package swarmapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultSocket is where the Docker engine listens on Linux.
const DefaultSocket = "/var/run/docker.sock"

// UnixDialer dials the engine's unix socket at path (DefaultSocket when
// empty). Its errors say what is wrong and what to do: socket missing,
// permission denied, engine not running.
func UnixDialer(path string) func(ctx context.Context) (net.Conn, error) {
	if path == "" {
		path = DefaultSocket
	}
	return func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", path)
		if err != nil {
			return nil, unixDialError(path, err)
		}
		return conn, nil
	}
}

func unixDialError(path string, err error) error {
	at := "cannot reach the Docker engine at " + path + ": "
	switch {
	case errors.Is(err, syscall.ENOENT):
		return &engineError{
			msg:  at + "no such file; mount it with -v " + path + ":" + DefaultSocket + ":ro",
			kind: ErrUnreachable, cause: err,
		}
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return &engineError{
			msg: at + "permission denied; run as root or in the socket's group " +
				"(docker run --group-add $(stat -c %g " + path + ") …, or add the user to the docker group)",
			kind: ErrPermission, cause: err,
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &engineError{
			msg:  at + "connection refused; the Docker engine is not running (start dockerd)",
			kind: ErrUnreachable, cause: err,
		}
	case errors.Is(err, syscall.ENOTSOCK), errors.Is(err, syscall.ENOTDIR):
		return &engineError{
			msg:  at + "not a socket; mount the engine's socket with -v " + path + ":" + DefaultSocket + ":ro",
			kind: ErrUnreachable, cause: err,
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	return &engineError{msg: at + err.Error(), kind: ErrUnreachable, cause: err}
}

// ExecDialer reaches the engine of a container running Docker (a dind node)
// through `docker exec -i CONTAINER docker system dial-stdio`, whose standard
// input and output carry the connection: the node's socket needs no port.
// The docker CLI on this host must be in PATH.
func ExecDialer(container string) func(ctx context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) {
		return dialCommand(ctx, "the Docker engine of container "+container,
			"docker", "exec", "-i", container, "docker", "system", "dial-stdio")
	}
}

// CLIDialer reaches an engine through the host's docker CLI, `docker system
// dial-stdio`, with env (CLIEnv: this process's environment with
// DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH or DOCKER_CONTEXT): the CLI
// does the transport (TLS, its ssh connection helper, a context), so a
// machine is reached exactly as `docker` reaches it. what names the
// engine in errors.
func CLIDialer(what string, env []string) func(ctx context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) {
		return dialCommandEnv(ctx, what, env, "docker", "system", "dial-stdio")
	}
}

// CLIEnv is this process's environment without its docker CLI variables,
// plus env.
func CLIEnv(env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT", "DOCKER_TLS":
			continue
		}
		out = append(out, kv)
	}
	return append(out, env...)
}

// dialCommand starts name args and returns its standard input and output as
// a net.Conn. what names the far end in error messages.
func dialCommand(ctx context.Context, what, name string, args ...string) (net.Conn, error) {
	return dialCommandEnv(ctx, what, nil, name, args...)
}

// dialCommandEnv is dialCommand with the command's environment (nil: this
// process's).
func dialCommandEnv(ctx context.Context, what string, env []string, name string, args ...string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		stdinR.Close()
		stdinW.Close()
		return nil, err
	}
	c := &cmdConn{what: what, stdin: stdinW, stdout: stdoutR, done: make(chan struct{})}
	// Not CommandContext: the connection outlives the dial's context; Close
	// ends the process.
	c.cmd = exec.Command(name, args...)
	c.cmd.Env = env
	c.cmd.Stdin = stdinR
	c.cmd.Stdout = stdoutW
	c.cmd.Stderr = &c.stderr
	err = c.cmd.Start()
	stdinR.Close()
	stdoutW.Close()
	if err != nil {
		stdinW.Close()
		stdoutR.Close()
		msg := "cannot reach " + what + ": " + err.Error()
		if errors.Is(err, exec.ErrNotFound) {
			msg = "cannot reach " + what + ": the docker command is not installed (not in PATH)"
		}
		return nil, &engineError{msg: msg, kind: ErrUnreachable, cause: err}
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// lockedBuffer is a bytes.Buffer safe for the command's stderr copier and
// readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cmdConn is a net.Conn over a command's standard input and output.
type cmdConn struct {
	what    string
	cmd     *exec.Cmd
	stdin   *os.File
	stdout  *os.File
	stderr  lockedBuffer
	done    chan struct{}
	waitErr error

	closeOnce sync.Once
}

func (c *cmdConn) Read(p []byte) (int, error) {
	n, err := c.stdout.Read(p)
	if err == io.EOF {
		if e := c.exitError(); e != nil {
			return n, e
		}
	}
	return n, err
}

func (c *cmdConn) Write(p []byte) (int, error) {
	n, err := c.stdin.Write(p)
	if err != nil {
		if e := c.exitError(); e != nil {
			return n, e
		}
	}
	return n, err
}

// exitError waits briefly for the command to end after its output closed,
// and turns a failure into an error that quotes its stderr (e.g. "No such
// container", "Cannot connect to the Docker daemon").
func (c *cmdConn) exitError() error {
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
		return nil
	}
	msg := strings.TrimSpace(c.stderr.String())
	if c.waitErr == nil && msg == "" {
		return nil
	}
	if msg == "" {
		msg = c.waitErr.Error()
	}
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 && len(msg) > 300 {
		msg = msg[i+1:]
	}
	kind := ErrUnreachable
	if strings.Contains(strings.ToLower(msg), "permission denied") {
		kind = ErrPermission
	}
	return &engineError{msg: "cannot reach " + c.what + ": " + msg, kind: kind, cause: c.waitErr}
}

func (c *cmdConn) Close() error {
	c.closeOnce.Do(func() {
		// dial-stdio ends when its input closes; kill it if it lingers.
		c.stdin.Close()
		c.stdout.Close()
		go func() {
			select {
			case <-c.done:
			case <-time.After(2 * time.Second):
				_ = c.cmd.Process.Kill()
			}
		}()
	})
	return nil
}

type cmdAddr string

func (a cmdAddr) Network() string { return "exec" }
func (a cmdAddr) String() string  { return string(a) }

func (c *cmdConn) LocalAddr() net.Addr  { return cmdAddr("swarmgen-viz") }
func (c *cmdConn) RemoteAddr() net.Addr { return cmdAddr(c.what) }

func (c *cmdConn) SetDeadline(t time.Time) error {
	if err := c.stdout.SetReadDeadline(t); err != nil {
		return err
	}
	return c.stdin.SetWriteDeadline(t)
}
func (c *cmdConn) SetReadDeadline(t time.Time) error  { return c.stdout.SetReadDeadline(t) }
func (c *cmdConn) SetWriteDeadline(t time.Time) error { return c.stdin.SetWriteDeadline(t) }
