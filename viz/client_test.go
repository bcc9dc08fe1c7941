package viz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a fake `docker exec … docker system
// dial-stdio`: with VIZ_FAKE_DIAL_STDIO set it serves the fixture engine
// over its standard input and output, or fails like docker does.
func TestMain(m *testing.M) {
	switch os.Getenv("VIZ_FAKE_DIAL_STDIO") {
	case "":
		os.Exit(m.Run())
	case "serve":
		srv := &http.Server{Handler: fakeEngine(nil), ReadHeaderTimeout: 5 * time.Second}
		_ = srv.Serve(&stdioListener{first: make(chan struct{}, 1)})
		os.Exit(0)
	case "no-such-container":
		fmt.Fprintln(os.Stderr, "Error response from daemon: No such container: nope")
		os.Exit(1)
	}
	os.Exit(3)
}

// stdioListener accepts one connection: standard input and output. The
// process ends when the connection is closed (the client closed stdin).
type stdioListener struct{ first chan struct{} }

func (l *stdioListener) Accept() (net.Conn, error) {
	select {
	case l.first <- struct{}{}:
		return stdioConn{}, nil
	default:
		select {} // one connection only; Close of it ends the process
	}
}
func (l *stdioListener) Close() error   { return nil }
func (l *stdioListener) Addr() net.Addr { return cmdAddr("stdio") }

type stdioConn struct{}

func (stdioConn) Read(p []byte) (int, error)       { return os.Stdin.Read(p) }
func (stdioConn) Write(p []byte) (int, error)      { return os.Stdout.Write(p) }
func (stdioConn) Close() error                     { os.Exit(0); return nil }
func (stdioConn) LocalAddr() net.Addr              { return cmdAddr("stdio") }
func (stdioConn) RemoteAddr() net.Addr             { return cmdAddr("stdio") }
func (stdioConn) SetDeadline(time.Time) error      { return nil }
func (stdioConn) SetReadDeadline(time.Time) error  { return nil }
func (stdioConn) SetWriteDeadline(time.Time) error { return nil }

// fakeEngine answers like a Docker 20.10 manager with the node-down
// fixture, under /v1.41 only. Requests are recorded in *seen when not nil.
func fakeEngine(seen *[]string) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			mu.Lock()
			*seen = append(*seen, r.Method+" "+r.URL.RequestURI())
			mu.Unlock()
		}
		w.Header().Set("Api-Version", "1.41")
		w.Header().Set("Content-Type", "application/json")
		file := map[string]string{
			"/v1.41/nodes":                "nodes",
			"/v1.41/services?status=true": "services",
			"/v1.41/tasks":                "tasks",
		}[r.URL.RequestURI()]
		if file == "" || r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintln(w, `{"message":"page not found"}`)
			return
		}
		http.ServeFile(w, r, filepath.Join(testdataDir(), "node-down", file+".json"))
	})
}

// testdataDir is absolute: the helper process of the exec tests may run
// elsewhere.
func testdataDir() string {
	if d := os.Getenv("VIZ_TESTDATA"); d != "" {
		return d
	}
	d, _ := filepath.Abs("testdata")
	return d
}

// serveUnix serves h on a unix socket in a temporary directory.
func serveUnix(t *testing.T, h http.Handler) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sock
}

func TestClientUnixSocket(t *testing.T) {
	var seen []string
	sock := serveUnix(t, fakeEngine(&seen))
	c := NewClient(UnixDialer(sock))
	defer c.CloseIdleConnections()
	src := &ClientSource{Client: c, Now: func() time.Time { return fixtureTime }}
	m, err := src.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nodes, services, tasks := loadFixture(t, "node-down")
	if want := BuildModel(nodes, services, tasks, fixtureTime); layout(*m) != layout(want) {
		t.Errorf("model through the client:\n%s\nwant:\n%s", layout(*m), layout(want))
	}
	want := []string{"GET /v1.41/nodes", "GET /v1.41/services?status=true", "GET /v1.41/tasks"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("requests %q, want %q", seen, want)
	}
	if len(nodes) != 4 || len(services) != 4 || len(tasks) != 29 {
		t.Errorf("decoded %d nodes, %d services, %d tasks", len(nodes), len(services), len(tasks))
	}
}

func TestClientNotManager(t *testing.T) {
	// What a 20.10 engine outside a swarm answers (recorded).
	sock := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"message":"This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."}`+"\n")
	}))
	_, err := NewClient(UnixDialer(sock)).Nodes(context.Background())
	if !errors.Is(err, ErrNotManager) {
		t.Fatalf("err = %v, want ErrNotManager", err)
	}
	if !strings.HasPrefix(err.Error(), "this node is not a swarm manager: ") || !strings.Contains(err.Error(), `docker swarm init`) {
		t.Errorf("message %q", err)
	}
}

func TestClientOtherEngineError(t *testing.T) {
	sock := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"rpc error: code = Unknown desc = raft: no elected cluster leader"}`)
	}))
	_, err := NewClient(UnixDialer(sock)).Tasks(context.Background())
	if err == nil || err.Error() != "Docker engine: GET /tasks: 500 rpc error: code = Unknown desc = raft: no elected cluster leader" {
		t.Errorf("err = %v", err)
	}
}

func TestClientNegotiatesTooOldVersion(t *testing.T) {
	// An engine whose minimum API version is above 1.41 (Docker 29+).
	var seen []string
	sock := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path)
		if strings.HasPrefix(r.URL.Path, "/v1.41/") {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message":"client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version"}`)
			return
		}
		io.WriteString(w, `[{"ID":"n1","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"Status":{"State":"ready"}}]`)
	}))
	c := NewClient(UnixDialer(sock))
	nodes, err := c.Nodes(context.Background())
	if err != nil || len(nodes) != 1 || nodes[0].Description.Hostname != "m1" {
		t.Fatalf("nodes %+v, err %v", nodes, err)
	}
	if _, err := c.Nodes(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, ","); got != "/v1.41/nodes,/v1.44/nodes,/v1.44/nodes" {
		t.Errorf("paths %s", got)
	}
}

func TestUnixDialerErrors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	_, err := NewClient(UnixDialer(filepath.Join(dir, "docker.sock"))).Nodes(ctx)
	want := "cannot reach the Docker engine at " + filepath.Join(dir, "docker.sock") +
		": no such file; mount it with -v " + filepath.Join(dir, "docker.sock") + ":/var/run/docker.sock:ro"
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnreachable) {
		t.Errorf("missing socket: %v\nwant: %s", err, want)
	}

	// A socket file nobody listens on: the engine is down.
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	_, err = NewClient(UnixDialer(stale)).Nodes(ctx)
	if err == nil || !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "the Docker engine is not running") {
		t.Errorf("engine down: %v", err)
	}

	// A regular file.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	_, err = NewClient(UnixDialer(file)).Nodes(ctx)
	if err == nil || !errors.Is(err, ErrUnreachable) {
		t.Errorf("not a socket: %v", err)
	}

	// Permission denied (root bypasses file modes, so the mapping is
	// checked directly too).
	perm := unixDialError("/var/run/docker.sock", &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)})
	if !errors.Is(perm, ErrPermission) || !strings.HasPrefix(perm.Error(),
		"cannot reach the Docker engine at /var/run/docker.sock: permission denied; run as root or in the socket's group") {
		t.Errorf("permission: %v", perm)
	}
	if os.Geteuid() != 0 {
		sock := serveUnix(t, fakeEngine(nil))
		os.Chmod(sock, 0o000)
		_, err := NewClient(UnixDialer(sock)).Nodes(ctx)
		if !errors.Is(err, ErrPermission) {
			t.Errorf("chmod 000 socket: %v", err)
		}
	}
}

func TestClientTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	sock := serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := NewClient(UnixDialer(sock)).Nodes(ctx)
	if !errors.Is(err, ErrUnreachable) || err.Error() != "the Docker engine did not answer in time" {
		t.Errorf("err = %v", err)
	}
}

func helperDialer(t *testing.T, mode string) func(ctx context.Context) (net.Conn, error) {
	t.Setenv("VIZ_FAKE_DIAL_STDIO", mode)
	t.Setenv("VIZ_TESTDATA", testdataDir())
	return func(ctx context.Context) (net.Conn, error) {
		return dialCommand(ctx, "the Docker engine of container fake", os.Args[0], "-test.run=^$")
	}
}

func TestExecDialerConnection(t *testing.T) {
	c := NewClient(helperDialer(t, "serve"))
	defer c.CloseIdleConnections()
	for range 3 { // the same connection (process) serves them all
		tasks, err := c.Tasks(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 29 {
			t.Fatalf("%d tasks", len(tasks))
		}
	}
}

func TestExecDialerCommandFails(t *testing.T) {
	_, err := NewClient(helperDialer(t, "no-such-container")).Nodes(context.Background())
	want := "cannot reach the Docker engine of container fake: Error response from daemon: No such container: nope"
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestExecDialerNoDocker(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := NewClient(ExecDialer("manager")).Nodes(context.Background())
	want := "cannot reach the Docker engine of container manager: the docker command is not installed (not in PATH)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v", err)
	}
}

// TestLiveEngine reads a real swarm through ExecDialer when
// VIZ_LIVE_CONTAINER names a running dind manager (e.g. e2e-manager).
func TestLiveEngine(t *testing.T) {
	name := os.Getenv("VIZ_LIVE_CONTAINER")
	if name == "" {
		t.Skip("set VIZ_LIVE_CONTAINER=<dind manager container> to read a real swarm")
	}
	c := NewClient(ExecDialer(name))
	defer c.CloseIdleConnections()
	m, err := (&ClientSource{Client: c}).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", RenderText(m, 100))
	if len(m.Nodes) == 0 {
		t.Error("no nodes")
	}
}
