package viz

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/swarmgen/swarmgen/generator/inputfile"
	"github.com/swarmgen/swarmgen/internal/swarmapi"
)

// Source gives the current state of the swarm. ClientSource reads it from
// the Engine API; tests and the demo use fakes.
type Source interface {
	Snapshot(ctx context.Context) (*Model, error)
}

// ClientSource is the Source that reads nodes, services and tasks with a
// Client and turns them into a Model with BuildModel.
type ClientSource struct {
	Client *swarmapi.Client
	Now    func() time.Time // nil: time.Now
}

// Snapshot reads the three lists (one after the other, over one reused
// connection) and builds the model.
func (s *ClientSource) Snapshot(ctx context.Context) (*Model, error) {
	nodes, err := s.Client.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	services, err := s.Client.Services(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := s.Client.Tasks(ctx, false)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	m := BuildModel(nodes, services, tasks, now().UTC())
	return &m, nil
}

// Options tune the server. The zero value is fine.
type Options struct {
	// Auth, as "user:pass", turns on HTTP basic authentication for every
	// route. Empty: no authentication.
	Auth string
	// Title is the page's title (default "swarm visualizer").
	Title string
	// Interval between two reads of the source while a page is open
	// (default 1s).
	Interval time.Duration
	// KeepAlive is how often /events sends a comment when nothing changed
	// (default 15s), so proxies keep the stream open.
	KeepAlive time.Duration
	// Timeout bounds one Snapshot (default 10s).
	Timeout time.Duration
	// AllowedHosts are the host names (without port) the Host header may
	// name besides IP addresses and localhost; "*" allows any. Requests for
	// other names get 421: a page of some other site whose name was made to
	// resolve to this address (DNS rebinding) cannot read the swarm.
	AllowedHosts []string
	// MaxEvents bounds the timeline the server keeps and serves (default
	// DefaultMaxEvents): the newest are kept.
	MaxEvents int
}

// ParseAuth splits Options.Auth's "user:pass" and refuses what would
// silently mean an empty user or password.
func ParseAuth(auth string) (user, pass string, err error) {
	user, pass, ok := strings.Cut(auth, ":")
	switch {
	case !ok:
		return "", "", errors.New("give --auth as user:password (there is no ':', so the password would be empty)")
	case user == "":
		return "", "", errors.New("--auth needs a user name before the ':'")
	case pass == "":
		return "", "", errors.New("--auth needs a password after the ':'")
	}
	return user, pass, nil
}

// AuthFromFile is Options.Auth for user with the password in file (one
// line, as inputfile.ReadPassword reads it): how the builtin visualizer
// gets its password from a swarm secret, never from its command line.
func AuthFromFile(user, file string) (string, error) {
	switch {
	case user == "" || strings.Contains(user, ":"):
		return "", errors.New("--auth-user needs a user name without ':'")
	case file == "":
		return "", errors.New("--auth-user needs --auth-password-file, the file that holds the password")
	}
	pass, err := inputfile.ReadPassword(file)
	if err != nil {
		return "", fmt.Errorf("the password file %s %s", file, pathless(err))
	}
	return user + ":" + pass, nil
}

// pathless is err without the path a *fs.PathError repeats.
func pathless(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

//go:embed web
var webFS embed.FS

// NewServer returns the visualizer's HTTP handler. Routes, GET and HEAD
// only (405 otherwise, 404 for any other path):
//
//	/            the page (HTML, CSS and JS inline, no external asset)
//	/api/state   the Model as JSON; 503 with {"error": …} when the engine cannot be read
//	/events      server-sent events: the Model as JSON each time it changes
//
// One poller, shared by every open page, reads src every Options.Interval
// while at least one /events stream is open; /api/state reuses its last
// read when it is fresh. Nothing is ever passed through to the Docker API.
//
// The server keeps a timeline (Model.Timeline): what changed from one read
// to the next (DeriveEvents) while it watched, at most Options.MaxEvents
// events, in memory only: it starts when the first page opens and is gone
// with the server.
func NewServer(src Source, opts Options) http.Handler {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 15 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Title == "" {
		opts.Title = "swarm visualizer"
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	s := &server{
		opts: opts,
		hub: &hub{src: src, interval: opts.Interval, timeout: opts.Timeout, subs: map[chan struct{}]struct{}{},
			tl: timeline{max: opts.MaxEvents}},
	}
	s.page, s.csp = buildPage(opts.Title)
	if opts.Auth != "" {
		user, pass, err := ParseAuth(opts.Auth)
		if err != nil {
			panic("viz: " + err.Error()) // callers check with ParseAuth first
		}
		s.authUser, s.authPass = sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
		s.auth = true
	}
	return s
}

// hostAllowed: an IP address or localhost cannot be rebound by another
// site's DNS; any other name must be one the user allowed.
func (s *server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if _, err := netip.ParseAddr(host); err == nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	for _, a := range s.opts.AllowedHosts {
		if a == "*" || strings.EqualFold(a, host) {
			return true
		}
	}
	return false
}

type server struct {
	opts               Options
	hub                *hub
	page               []byte
	csp                string
	auth               bool
	authUser, authPass [32]byte
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	if !s.hostAllowed(r.Host) {
		http.Error(w, "421 this visualizer answers to localhost and IP addresses only; start it with --allow-host NAME to reach it as NAME", http.StatusMisdirectedRequest)
		return
	}
	if s.auth && !s.authorized(r) {
		h.Set("WWW-Authenticate", `Basic realm="swarm visualizer", charset="UTF-8"`)
		http.Error(w, "401 unauthorized", http.StatusUnauthorized)
		return
	}
	var serve func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case "/":
		serve = s.servePage
	case "/api/state":
		serve = s.serveState
	case "/events":
		serve = s.serveEvents
	default:
		http.Error(w, "404 not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	serve(w, r)
}

func (s *server) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(u[:], s.authUser[:])&subtle.ConstantTimeCompare(p[:], s.authPass[:]) == 1
}

func (s *server) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(s.page)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(s.page)
}

func (s *server) serveState(w http.ResponseWriter, r *http.Request) {
	st := s.hub.refresh(s.opts.Interval)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(st.json)+1))
	if st.failed {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(st.json)
	w.Write([]byte("\n"))
}

func (s *server) serveEvents(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)
	notify := s.hub.subscribe()
	defer s.hub.unsubscribe(notify)

	// retry: the browser reconnects after 1 s if the stream breaks.
	if _, err := w.Write([]byte("retry: 1000\n\n")); err != nil {
		return
	}
	st := s.hub.refresh(s.opts.Interval)
	sent := st.seq
	if writeEvent(w, st.json) != nil || rc.Flush() != nil {
		return
	}
	keepAlive := time.NewTicker(s.opts.KeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-notify:
			st := s.hub.current()
			if st.seq == sent {
				continue
			}
			sent = st.seq
			if writeEvent(w, st.json) != nil || rc.Flush() != nil {
				return
			}
		case <-keepAlive.C:
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func writeEvent(w http.ResponseWriter, data []byte) error {
	// The JSON is compact: no newline can end the data line early.
	var b bytes.Buffer
	b.Grow(len(data) + 16)
	b.WriteString("event: state\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	_, err := w.Write(b.Bytes())
	return err
}

// state is one read of the source, as served.
type state struct {
	json   []byte    // the Model, time included
	failed bool      // the Model carries an error
	seq    uint64    // bumped each time the Model (time aside) changes
	at     time.Time // when it was read
}

// hub reads the source for every client: at most one read at a time, a
// poller while /events streams are open, and a change counter so streams
// send only what changed.
type hub struct {
	src      Source
	interval time.Duration
	timeout  time.Duration

	fetchMu sync.Mutex // one Snapshot at a time

	mu      sync.Mutex
	cur     state
	key     []byte // the last Model's JSON with a zero time
	subs    map[chan struct{}]struct{}
	polling bool

	// the timeline, under mu
	tl   timeline
	last *Model // the last read; a failed one keeps the nodes of the last that succeeded
}

func (h *hub) current() state {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}

// refresh returns the current state, reading the source first unless the
// last read is younger than maxAge. Concurrent callers share one read.
func (h *hub) refresh(maxAge time.Duration) state {
	h.fetchMu.Lock()
	defer h.fetchMu.Unlock()
	if st := h.current(); st.json != nil && time.Since(st.at) < maxAge {
		return st
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout)
	defer cancel()
	start := time.Now()
	m, err := h.src.Snapshot(ctx)
	if err == nil && m == nil {
		err = errors.New("the source returned no state")
	}
	if err != nil {
		m = &Model{Time: start.UTC(), Error: err.Error(), Nodes: []NodeColumn{}, Unassigned: []TaskCard{}, Services: []ServiceLegend{}}
	}
	h.observe(m)
	failed := m.Error != ""
	full, err1 := json.Marshal(m)
	keyed := *m
	keyed.Time = time.Time{}
	key, err2 := json.Marshal(&keyed)
	if err1 != nil || err2 != nil {
		full, _ = json.Marshal(&Model{Time: start.UTC(), Error: "cannot encode the state: " + errors.Join(err1, err2).Error()})
		key, failed = full, true
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	h.cur.json, h.cur.failed, h.cur.at = full, failed, start
	if !bytes.Equal(key, h.key) {
		h.key = key
		h.cur.seq++
		for c := range h.subs {
			select {
			case c <- struct{}{}:
			default: // already notified; it will read the newest state
			}
		}
	}
	return h.cur
}

// observe adds what changed since the last read to the timeline (the
// network faults too, which come with the nodes' labels) and puts the
// timeline into m.
func (h *hub) observe(m *Model) {
	h.mu.Lock()
	defer h.mu.Unlock()
	evs := DeriveEvents(h.last, m)
	if m.Error != "" {
		kept := &Model{Error: m.Error}
		if h.last != nil {
			c := *h.last
			c.Error = m.Error
			kept = &c
		}
		h.last = kept
	} else {
		evs = append(evs, FaultEvents(faults(h.last), faults(m), m.Time)...)
		c := *m
		h.last = &c
	}
	h.tl.add(evs...)
	m.Timeline = append([]Event{}, h.tl.events...)
}

// faults is the network fault in force per node of m.
func faults(m *Model) map[string]string {
	f := map[string]string{}
	if m == nil {
		return f
	}
	for _, n := range m.Nodes {
		if n.Fault != "" {
			f[n.Name] = n.Fault
		}
	}
	return f
}

func (h *hub) subscribe() chan struct{} {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[c] = struct{}{}
	if !h.polling {
		h.polling = true
		go h.poll()
	}
	return c
}

func (h *hub) unsubscribe(c chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, c)
}

// poll reads the source every interval while anyone listens.
func (h *hub) poll() {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		// A read younger than half an interval (by /api/state or a new
		// stream) counts as this tick's.
		h.refresh(h.interval / 2)
		<-t.C
		h.mu.Lock()
		if len(h.subs) == 0 {
			h.polling = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
	}
}

// buildPage inlines web/app.css and web/app.js into web/index.html and
// returns the page with the Content-Security-Policy that allows exactly
// those two inline blocks (by hash) and nothing from elsewhere.
func buildPage(title string) ([]byte, string) {
	read := func(name string) string {
		b, err := webFS.ReadFile("web/" + name)
		if err != nil {
			panic("viz: embedded " + name + ": " + err.Error())
		}
		return string(b)
	}
	css, js := read("app.css"), read("app.js")
	if strings.Contains(strings.ToLower(js), "</script") || strings.Contains(strings.ToLower(css), "</style") {
		panic("viz: app.js or app.css contains a closing tag")
	}
	page := read("index.html")
	page = strings.Replace(page, "<!--TITLE-->", html.EscapeString(title), -1)
	page = strings.Replace(page, "<!--STYLE-->", "<style>"+css+"</style>", 1)
	page = strings.Replace(page, "<!--SCRIPT-->", "<script>"+js+"</script>", 1)
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	csp := "default-src 'self'; script-src " + hash(js) + "; style-src " + hash(css) +
		"; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return []byte(page), csp
}
