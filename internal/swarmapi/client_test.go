package swarmapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
)

// The test binary doubles as a fake `docker exec … docker system
// dial-stdio`: with SWARMAPI_FAKE_DIAL_STDIO set it serves a fake engine
// over its standard input and output, or fails like docker does.
func TestMain(m *testing.M) {
	switch os.Getenv("SWARMAPI_FAKE_DIAL_STDIO") {
	case "":
		os.Exit(m.Run())
	case "serve":
		srv := &http.Server{Handler: (&fakeengine.Engine{}).Handler(fakeEngine(nil)), ReadHeaderTimeout: 5 * time.Second}
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

// What a Docker 20.10 manager answers (recorded, trimmed).
const (
	nodesJSON = `[{"ID":"n1","Description":{"Hostname":"manager"},"Spec":{"Role":"manager","Availability":"active","Labels":{"zone":"a"}},"Status":{"State":"ready"},"ManagerStatus":{"Leader":true,"Reachability":"reachable","Addr":"10.0.0.2:2377"}},
{"ID":"n2","Description":{"Hostname":"worker01"},"Spec":{"Role":"worker","Availability":"active"},"Status":{"State":"down"}}]`
	servicesJSON = `[{"ID":"s1","Spec":{"Name":"echo","Mode":{"Replicated":{"Replicas":2}}},"ServiceStatus":{"RunningTasks":1,"DesiredTasks":2}}]`
	tasksJSON    = `[{"ID":"t1","ServiceID":"s1","NodeID":"n1","Slot":1,"Status":{"Timestamp":"2026-11-25T04:20:00Z","State":"running"},"DesiredState":"running"},
{"ID":"t2","ServiceID":"s1","NodeID":"n2","Slot":2,"Status":{"Timestamp":"2026-11-25T04:19:00Z","State":"running"},"DesiredState":"running"}]`
	infoJSON = `{"Swarm":{"NodeID":"n1","LocalNodeState":"active"}}`
)

// fakeEngine answers like a Docker 20.10 manager: the lists above, or,
// by request, what answers say ("503 {json}" for an error).
func fakeEngine(answers map[string]string) fakeengine.Answer {
	return func(req string) (int, string) {
		body, ok := answers[req]
		if !ok {
			path, _, _ := strings.Cut(req, "?")
			body, ok = map[string]string{"GET /nodes": nodesJSON, "GET /services": servicesJSON,
				"GET /tasks": tasksJSON, "GET /info": infoJSON}[path]
		}
		if !ok {
			return fakeengine.NotFound()
		}
		if code, msg, isErr := strings.Cut(body, " "); isErr && len(code) == 3 && code[0] >= '4' {
			status, _ := strconv.Atoi(code)
			return status, msg
		}
		return 0, body
	}
}

func serve(t *testing.T, answers map[string]string) (*fakeengine.Engine, Dialer) {
	e, sock := fakeengine.Serve(t, fakeEngine(answers))
	return e, UnixDialer(sock)
}

func newClient(t *testing.T, dial Dialer) *Client {
	t.Helper()
	c, err := New(dial)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClientReadsTheSwarm(t *testing.T) {
	e, dial := serve(t, nil)
	c := newClient(t, dial)
	ctx := context.Background()
	nodes, err := c.Nodes(ctx)
	if err != nil || len(nodes) != 2 || nodes[0].Description.Hostname != "manager" || !nodes[0].ManagerStatus.Leader ||
		nodes[0].Spec.Labels["zone"] != "a" || nodes[1].Status.State != "down" {
		t.Fatalf("nodes %+v, err %v", nodes, err)
	}
	services, err := c.Services(ctx)
	if err != nil || len(services) != 1 || services[0].ServiceStatus.DesiredTasks != 2 || *services[0].Spec.Mode.Replicated.Replicas != 2 {
		t.Fatalf("services %+v, err %v", services, err)
	}
	tasks, err := c.Tasks(ctx, true)
	if err != nil || len(tasks) != 2 || tasks[1].Slot != 2 || tasks[1].Status.State != "running" {
		t.Fatalf("tasks %+v, err %v", tasks, err)
	}
	if _, err := c.Tasks(ctx, false); err != nil {
		t.Fatal(err)
	}
	if id, err := c.NodeID(ctx); err != nil || id != "n1" {
		t.Fatalf("NodeID %q, err %v", id, err)
	}
	// One ping negotiates 1.41 (Docker 20.10) for every later request.
	seen := e.Seen()
	want := []string{"GET /v1.41/nodes", "GET /v1.41/services?status=true",
		`GET /v1.41/tasks?filters=%7B%22desired-state%22%3A%7B%22running%22%3Atrue%7D%7D`, "GET /v1.41/tasks", "GET /v1.41/info"}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

func TestClientNotManager(t *testing.T) {
	// What a 20.10 engine outside a swarm answers (recorded).
	_, dial := serve(t, map[string]string{
		"GET /nodes": `503 {"message":"This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."}`,
	})
	_, err := newClient(t, dial).Nodes(context.Background())
	if !errors.Is(err, ErrNotManager) {
		t.Fatalf("err = %v, want ErrNotManager", err)
	}
	if !strings.HasPrefix(err.Error(), "this node is not a swarm manager, ") || !strings.Contains(err.Error(), `docker swarm init`) {
		t.Errorf("message %q", err)
	}
}

func TestClientNoLeader(t *testing.T) {
	for _, answer := range []string{
		`503 {"message":"rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online."}`,
		`500 {"message":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"}`,
	} {
		_, dial := serve(t, map[string]string{"GET /nodes": answer})
		if _, err := newClient(t, dial).Nodes(context.Background()); !errors.Is(err, ErrNoLeader) {
			t.Errorf("%s: err = %v, want ErrNoLeader", answer, err)
		}
	}
}

func TestClientOtherEngineError(t *testing.T) {
	_, dial := serve(t, map[string]string{
		"GET /tasks": `500 {"message":"rpc error: code = Unknown desc = raft: no elected cluster leader"}`,
	})
	_, err := newClient(t, dial).Tasks(context.Background(), false)
	if err == nil || err.Error() != "Docker engine: rpc error: code = Unknown desc = raft: no elected cluster leader" ||
		errors.Is(err, ErrNoLeader) || errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v", err)
	}
}

// An engine whose minimum API version is above 1.41 (Docker 29+) gets
// its own version from the first ping.
func TestClientNegotiatesANewerEngine(t *testing.T) {
	var seen []string
	sock := fakeengine.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path)
		w.Header().Set("Api-Version", "1.52")
		if r.URL.Path == "/_ping" {
			return
		}
		if r.URL.Path != "/v1.52/nodes" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		io.WriteString(w, `[{"ID":"n1","Description":{"Hostname":"m1"},"Spec":{"Role":"manager"},"Status":{"State":"ready"}}]`)
	}))
	c := newClient(t, UnixDialer(sock))
	for range 2 {
		nodes, err := c.Nodes(context.Background())
		if err != nil || len(nodes) != 1 || nodes[0].Description.Hostname != "m1" {
			t.Fatalf("nodes %+v, err %v", nodes, err)
		}
	}
	if got := strings.Join(seen, ","); got != "/_ping,/v1.52/nodes,/v1.52/nodes" {
		t.Errorf("paths %s", got)
	}
}

func TestUnixDialerErrors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	_, err := newClient(t, UnixDialer(filepath.Join(dir, "docker.sock"))).Nodes(ctx)
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
	_, err = newClient(t, UnixDialer(stale)).Nodes(ctx)
	if err == nil || !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "the Docker engine is not running") {
		t.Errorf("engine down: %v", err)
	}

	// A regular file.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	_, err = newClient(t, UnixDialer(file)).Nodes(ctx)
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
		_, sock := fakeengine.Serve(t, fakeEngine(nil))
		os.Chmod(sock, 0o000)
		_, err := newClient(t, UnixDialer(sock)).Nodes(ctx)
		if !errors.Is(err, ErrPermission) {
			t.Errorf("chmod 000 socket: %v", err)
		}
	}
}

func TestClientTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	sock := fakeengine.ServeHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newClient(t, UnixDialer(sock)).Nodes(ctx)
	if !errors.Is(err, ErrUnreachable) || err.Error() != "the Docker engine did not answer in time" {
		t.Errorf("err = %v", err)
	}
}

func helperDialer(t *testing.T, mode string) Dialer {
	t.Setenv("SWARMAPI_FAKE_DIAL_STDIO", mode)
	return func(ctx context.Context) (net.Conn, error) {
		return dialCommand(ctx, "the Docker engine of container fake", os.Args[0], "-test.run=^$")
	}
}

func TestExecDialerConnection(t *testing.T) {
	c := newClient(t, helperDialer(t, "serve"))
	for range 3 { // the same connection (process) serves them all
		tasks, err := c.Tasks(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 2 {
			t.Fatalf("%d tasks", len(tasks))
		}
	}
}

func TestExecDialerCommandFails(t *testing.T) {
	_, err := newClient(t, helperDialer(t, "no-such-container")).Nodes(context.Background())
	want := "cannot reach the Docker engine of container fake: Error response from daemon: No such container: nope"
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestExecDialerNoDocker(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := newClient(t, ExecDialer("manager")).Nodes(context.Background())
	want := "cannot reach the Docker engine of container manager: the docker command is not installed (not in PATH)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v", err)
	}
}

// TestLiveEngine reads a real swarm through ExecDialer when
// SWARMAPI_LIVE_CONTAINER names a running dind manager (e.g. e2e-manager):
// the official client against the node's Docker 20.10 engine.
func TestLiveEngine(t *testing.T) {
	name := os.Getenv("SWARMAPI_LIVE_CONTAINER")
	if name == "" {
		t.Skip("set SWARMAPI_LIVE_CONTAINER=<dind manager container> to read a real swarm")
	}
	c := newClient(t, ExecDialer(name))
	nodes, err := c.Nodes(context.Background())
	if err != nil || len(nodes) == 0 {
		t.Fatalf("nodes %d, err %v", len(nodes), err)
	}
	t.Logf("%d nodes, API %s", len(nodes), c.api.ClientVersion())
}
