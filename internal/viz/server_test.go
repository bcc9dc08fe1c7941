package viz

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
)

// fakeSource serves a model that tests can change, or an error.
type fakeSource struct {
	mu    sync.Mutex
	model Model
	err   error
	calls atomic.Int64
}

func (f *fakeSource) Snapshot(ctx context.Context) (*Model, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	// A deep copy: tests change f.model while the server encodes the last one.
	b, err := json.Marshal(f.model)
	if err != nil {
		return nil, err
	}
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m.Time = time.Now().UTC() // every read is "new", only the content may not be
	return &m, nil
}

func (f *fakeSource) set(m Model, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.model, f.err = m, err
}

func fixtureSource(t testing.TB) *fakeSource {
	nodes, services, tasks := loadFixture(t, "node-down")
	return &fakeSource{model: BuildModel(nodes, services, tasks, fixtureTime)}
}

func newTestServer(t *testing.T, src Source, opts Options) *httptest.Server {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = 50 * time.Millisecond
	}
	ts := httptest.NewServer(NewServer(src, opts))
	t.Cleanup(ts.Close)
	return ts
}

func do(t *testing.T, method, url string, auth ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServerRoutes(t *testing.T) {
	ts := newTestServer(t, fixtureSource(t), Options{})

	resp, body := do(t, "GET", ts.URL+"/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`id="nodes"`, `id="legend"`, `id="filter"`, `id="group"`, `"service:"`, "GROUP_AUTO_NODES", `<style>`, `<script>`, `new EventSource("events")`, `"api/state"`, "replaceState",
		"dataset.node =", "dataset.state =", "dataset.service =", "dataset.task =", "dataset.legend =", "dataset.desired =", "dataset.running ="} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Offline: nothing loaded from elsewhere.
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["'](https?:)?//`).FindString(body); m != "" {
		t.Errorf("page loads an external asset: %s", m)
	}
	if strings.Contains(body, "<!--") {
		t.Error("a placeholder was left in the page")
	}

	// Security headers, on every answer; the CSP allows exactly the inline
	// script and style.
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'self'; ") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}
	for _, tag := range []string{"script", "style"} {
		inline := regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`).FindStringSubmatch(body)
		if inline == nil {
			t.Fatalf("no inline %s", tag)
		}
		sum := sha256.Sum256([]byte(inline[1]))
		if want := tag + "-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}

	resp, body = do(t, "GET", ts.URL+"/api/state")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/state: %d %s", resp.StatusCode, body)
	}
	var m Model
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != 4 || m.Nodes[3].Name != "worker03" || !m.Nodes[3].Down || len(m.Services) != 4 || m.Error != "" {
		t.Errorf("state %s", body)
	}
	if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no security headers on /api/state")
	}

	for _, path := range []string{"/", "/api/state", "/events"} {
		resp, body := do(t, "HEAD", ts.URL+path)
		if resp.StatusCode != 200 || body != "" {
			t.Errorf("HEAD %s: %d %q", path, resp.StatusCode, body)
		}
		for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
			resp, _ := do(t, method, ts.URL+path)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q", method, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
}

// Nothing reaches the Docker API through the visualizer, whatever the path.
func TestServerNoPassthrough(t *testing.T) {
	e, sock := fakeengine.Serve(t, fakeEngine)
	ts := newTestServer(t, &ClientSource{Client: newClient(t, swarmapi.UnixDialer(sock))}, Options{})
	for _, path := range []string{
		"/v1.41/containers/json", "/containers/json", "/v1.41/nodes", "/nodes", "/_ping", "/version",
		"/api/state/../../v1.41/info", "/api/", "/api/state/x", "/events/x", "/index.html", "/web/app.js",
		"/v1.41/containers/create", "//v1.41/containers/json", "/static/app.js",
	} {
		for _, method := range []string{"GET", "POST"} {
			resp, _ := do(t, method, ts.URL+path)
			if resp.StatusCode != http.StatusNotFound && !(resp.StatusCode == http.StatusMovedPermanently && strings.Contains(path, "..")) {
				t.Errorf("%s %s: %d, want 404", method, path, resp.StatusCode)
			}
		}
	}
	if seen := e.Seen(); len(seen) != 0 {
		t.Errorf("the engine was asked %q", seen)
	}
	// The state itself reads only the three lists.
	do(t, "GET", ts.URL+"/api/state")
	want := "GET /v1.41/nodes,GET /v1.41/services?status=true,GET /v1.41/tasks"
	if got := strings.Join(e.Seen(), ","); got != want {
		t.Errorf("engine requests %s, want %s", got, want)
	}
}

func TestServerBasicAuth(t *testing.T) {
	ts := newTestServer(t, fixtureSource(t), Options{Auth: "admin:s3cret:with-colon"})
	for _, path := range []string{"/", "/api/state", "/events", "/nope"} {
		for _, cred := range [][]string{nil, {"admin", "wrong"}, {"root", "s3cret:with-colon"}, {"admin", "s3cret"}} {
			resp, _ := do(t, "GET", ts.URL+path, cred...)
			if resp.StatusCode != http.StatusUnauthorized ||
				resp.Header.Get("WWW-Authenticate") != `Basic realm="swarm visualizer", charset="UTF-8"` {
				t.Errorf("GET %s as %q: %d %q", path, cred, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		}
	}
	resp, _ := do(t, "GET", ts.URL+"/api/state", "admin", "s3cret:with-colon")
	if resp.StatusCode != 200 {
		t.Errorf("authorized: %d", resp.StatusCode)
	}
	resp, _ = do(t, "POST", ts.URL+"/api/state", "admin", "s3cret:with-colon")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("authorized POST: %d", resp.StatusCode)
	}
}

func TestParseAuthRefusesEmptyParts(t *testing.T) {
	for _, bad := range []string{"admin", ":", ":pass", "admin:", ""} {
		if _, _, err := ParseAuth(bad); err == nil {
			t.Errorf("ParseAuth(%q) accepted", bad)
		}
	}
	if u, p, err := ParseAuth("admin:s3:cret"); err != nil || u != "admin" || p != "s3:cret" {
		t.Errorf("ParseAuth(admin:s3:cret) = %q %q %v", u, p, err)
	}
}

// A page of another site whose name resolves to the visualizer (DNS
// rebinding) sends its own name as Host: it gets no state.
func TestServerChecksTheHostHeader(t *testing.T) {
	for _, tc := range []struct {
		allowed []string
		host    string
		ok      bool
	}{
		{nil, "127.0.0.1:8080", true},
		{nil, "[::1]:8080", true},
		{nil, "10.1.2.3", true},
		{nil, "localhost:9000", true},
		{nil, "LOCALHOST.:9000", true},
		{nil, "app.localhost", true},
		{nil, "attacker.example:8080", false},
		{nil, "localhost.attacker.example", false},
		{nil, "", false},
		{[]string{"lab.internal"}, "lab.internal:9000", true},
		{[]string{"lab.internal"}, "other.internal:9000", false},
		{[]string{"*"}, "anything.example", true},
	} {
		h := NewServer(fixtureSource(t), Options{AllowedHosts: tc.allowed})
		for _, path := range []string{"/", "/api/state", "/events"} {
			req := httptest.NewRequest("HEAD", path, nil)
			req.Host = tc.host
			rec := httptest.NewRecorder()
			if path == "/events" {
				ctx, cancel := context.WithCancel(req.Context())
				cancel() // the stream would never end
				req = req.WithContext(ctx)
			}
			h.ServeHTTP(rec, req)
			if got := rec.Code != http.StatusMisdirectedRequest; got != tc.ok {
				t.Errorf("Host %q (allowed %v) %s: %d", tc.host, tc.allowed, path, rec.Code)
			}
		}
	}
}

func TestServerStateError(t *testing.T) {
	src := &fakeSource{}
	src.set(Model{}, errors.New("cannot reach the Docker engine at /var/run/docker.sock: no such file; mount it with -v /var/run/docker.sock:/var/run/docker.sock:ro"))
	ts := newTestServer(t, src, Options{Interval: time.Millisecond})
	resp, body := do(t, "GET", ts.URL+"/api/state")
	var m Model
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(m.Error, "cannot reach the Docker engine at") ||
		m.Nodes == nil || m.Services == nil || m.Time.IsZero() {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

// sseReader reads server-sent events.
type sseReader struct {
	r     *bufio.Reader
	lines []string // every line read, comments included
}

func (s *sseReader) next() (event, data string, err error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimSuffix(line, "\n")
		s.lines = append(s.lines, line)
		switch {
		case line == "" && data != "":
			return event, data, nil
		case strings.HasPrefix(line, "event: "):
			event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data += line[len("data: "):]
		}
	}
}

func openEvents(t *testing.T, url string) (*sseReader, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sseReader{r: bufio.NewReader(resp.Body)}, func() { cancel(); resp.Body.Close() }
}

// nextState reads the next event within d.
func nextState(t *testing.T, s *sseReader, d time.Duration) Model {
	t.Helper()
	type result struct {
		ev, data string
		err      error
	}
	ch := make(chan result, 1)
	go func() {
		ev, data, err := s.next()
		ch <- result{ev, data, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil || r.ev != "state" {
			t.Fatalf("event %q: %v", r.ev, r.err)
		}
		var m Model
		if err := json.Unmarshal([]byte(r.data), &m); err != nil {
			t.Fatal(err)
		}
		return m
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	panic("unreachable")
}

func TestServerEvents(t *testing.T) {
	src := fixtureSource(t)
	ts := newTestServer(t, src, Options{Interval: 20 * time.Millisecond, KeepAlive: 30 * time.Millisecond})
	s, stop := openEvents(t, ts.URL)
	defer stop()

	first := nextState(t, s, 2*time.Second)
	if len(first.Nodes) != 4 || s.lines[0] != "retry: 1000" {
		t.Fatalf("first event: %d nodes, lines %q", len(first.Nodes), s.lines)
	}

	// Nothing changes: no event (the time alone does not count), but
	// keep-alive comments. Wait for five reads of the source (however
	// long a loaded machine makes them take), not for a time.
	for deadline := time.Now().Add(10 * time.Second); src.calls.Load() < 5 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	src.mu.Lock()
	src.model.Nodes[3].State, src.model.Nodes[3].Down = "ready", false
	src.mu.Unlock()
	changed := nextState(t, s, 2*time.Second)
	if changed.Nodes[3].State != "ready" {
		t.Errorf("the event after the change has state %q", changed.Nodes[3].State)
	}
	keepAlives := 0
	for _, l := range s.lines {
		if l == ": keep-alive" {
			keepAlives++
		}
	}
	if keepAlives == 0 {
		t.Errorf("no keep-alive comment in %q", s.lines)
	}
	if src.calls.Load() < 5 {
		t.Errorf("the source was read %d times in 10 s at 20 ms intervals", src.calls.Load())
	}

	// The engine fails: the error is an event too, then the recovery.
	src.set(src.model, errors.New("this node is not a swarm manager"))
	if m := nextState(t, s, 2*time.Second); m.Error != "this node is not a swarm manager" || len(m.Nodes) != 0 {
		t.Errorf("error event %+v", m)
	}
	src.set(src.model, nil)
	if m := nextState(t, s, 2*time.Second); m.Error != "" || len(m.Nodes) != 4 {
		t.Errorf("recovery event %+v", m)
	}
}

// One poller serves every open page; it stops when the last one leaves.
func TestServerSharedPoller(t *testing.T) {
	src := fixtureSource(t)
	const interval = 40 * time.Millisecond
	ts := newTestServer(t, src, Options{Interval: interval})
	var stops []func()
	for range 5 {
		s, stop := openEvents(t, ts.URL)
		nextState(t, s, 2*time.Second)
		stops = append(stops, stop)
	}
	before := src.calls.Load()
	time.Sleep(20 * interval)
	reads := src.calls.Load() - before
	if reads < 10 || reads > 24 {
		t.Errorf("%d reads in 20 intervals with 5 pages open, want about 20", reads)
	}
	for _, stop := range stops {
		stop()
	}
	time.Sleep(5 * interval)
	idle := src.calls.Load()
	time.Sleep(10 * interval)
	if n := src.calls.Load() - idle; n != 0 {
		t.Errorf("%d reads with no page open", n)
	}
}

// The builtin visualizer's password comes from a file (the swarm secret):
// every route asks for it, the file's final newline is not part of it,
// and a bad file is refused without showing what it holds.
func TestAuthFromFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "visualizer-auth")
	if err := os.WriteFile(file, []byte("from-a-secret\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	auth, err := AuthFromFile("admin", file)
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, fixtureSource(t), Options{Auth: auth})
	for _, path := range []string{"/", "/api/state", "/events"} {
		for _, cred := range [][]string{nil, {"admin", "wrong"}, {"admin", "from-a-secret\n"}, {"other", "from-a-secret"}} {
			if resp, _ := do(t, "HEAD", ts.URL+path, cred...); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("HEAD %s as %q: %d, want 401", path, cred, resp.StatusCode)
			}
		}
		if resp, _ := do(t, "HEAD", ts.URL+path, "admin", "from-a-secret"); resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s with the password: %d, want 200", path, resp.StatusCode)
		}
	}

	for name, content := range map[string]string{"empty": "", "two-lines": "a-secret\nb-secret\n"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o400); err != nil {
			t.Fatal(err)
		}
		if _, err := AuthFromFile("admin", p); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, bad := range [][2]string{{"", file}, {"ad:min", file}, {"admin", ""}, {"admin", filepath.Join(dir, "missing")}, {"admin", dir}} {
		if _, err := AuthFromFile(bad[0], bad[1]); err == nil {
			t.Errorf("AuthFromFile(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

// The timeline: the first read sums up the swarm, each change is an event
// in the next state sent, /api/state has it too, and the server keeps at
// most MaxEvents.
func TestServerTimeline(t *testing.T) {
	src := fixtureSource(t)
	ts := newTestServer(t, src, Options{Interval: 20 * time.Millisecond, MaxEvents: 3})
	s, stop := openEvents(t, ts.URL)
	defer stop()
	first := nextState(t, s, 2*time.Second)
	if len(first.Timeline) != 1 || first.Timeline[0].Kind != "watch" || !strings.Contains(first.Timeline[0].Text, "4 nodes, 3 ready") {
		t.Fatalf("first timeline %+v", first.Timeline)
	}
	setWorker03 := func(state string) {
		src.mu.Lock()
		src.model.Nodes[3].State, src.model.Nodes[3].Down = state, state != "ready"
		src.mu.Unlock()
	}
	setWorker03("ready")
	m := nextState(t, s, 2*time.Second)
	if got := texts(m.Timeline[1:]); got != "ready: worker03 is Ready again [worker03]\n" {
		t.Errorf("after worker03 came back: %s", got)
	}
	// the time of the read that saw it: this state's, or an earlier one's
	// (a stream sends the newest state, which may be a later read)
	if at := m.Timeline[1].Time; at.After(m.Time) || at.Before(first.Time) {
		t.Errorf("the event's time %s is not a read's between %s and %s", at, first.Time, m.Time)
	}
	_, body := do(t, "GET", ts.URL+"/api/state")
	var st Model
	if err := json.Unmarshal([]byte(body), &st); err != nil || len(st.Timeline) != 2 {
		t.Errorf("/api/state timeline: %v %s", err, body)
	}
	for _, state := range []string{"down", "ready", "down"} {
		setWorker03(state)
		m = nextState(t, s, 2*time.Second)
	}
	if len(m.Timeline) != 3 || m.Timeline[2].Kind != "down" || m.Timeline[1].Kind != "ready" || m.Timeline[0].Kind != "down" {
		t.Errorf("after 5 events with MaxEvents 3: %s", texts(m.Timeline))
	}
}

// The network faults come with the nodes (their labels, BuildModel): a
// fault in force when the page opens, and one healed later, are events.
func TestServerFaults(t *testing.T) {
	src := fixtureSource(t)
	src.mu.Lock()
	src.model.Nodes[3].Fault = "cut off from manager, worker01, worker02"
	src.mu.Unlock()
	ts := newTestServer(t, src, Options{Interval: 10 * time.Millisecond})
	s, stop := openEvents(t, ts.URL)
	defer stop()
	m := nextState(t, s, 2*time.Second)
	if got := texts(m.Timeline[1:]); m.Nodes[3].Fault == "" || got != "fault: network fault on worker03: cut off from manager, worker01, worker02 [worker03]\n" {
		t.Errorf("the first read, worker03 cut off: fault %q, timeline %s", m.Nodes[3].Fault, got)
	}

	// healed: worker03 back, its fault gone
	src.mu.Lock()
	src.model.Nodes[3].State, src.model.Nodes[3].Down, src.model.Nodes[3].Fault = "ready", false, ""
	src.mu.Unlock()
	m = nextState(t, s, 2*time.Second)
	if got := texts(m.Timeline[2:]); got != "ready: worker03 is Ready again [worker03]\nhealed: network faults healed: none in force (was on worker03) [worker03]\n" {
		t.Errorf("timeline after heal: %s", got)
	}
}
