// Package fakeengine serves canned Docker Engine API answers on a unix
// socket, so that tests of the swarm's readers (package swarmapi and its
// users) run the real client against an engine that says what they need.
package fakeengine

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// APIVersion is what the fake engine announces: Docker 20.10's, as the
// lab's nodes run.
const APIVersion = "1.41"

// Answer gives the status and body for a request, by its method and its
// path and query without the version prefix ("GET /nodes",
// "GET /services?status=true"). A status of 0 means 200.
type Answer func(request string) (status int, body string)

// Engine records the requests it answered (the version ping aside).
type Engine struct {
	mu     sync.Mutex
	seen   []string
	bodies []string
}

// Bodies is the bodies of the requests that had one (updates), in order.
func (e *Engine) Bodies() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.bodies...)
}

// Seen is the requests so far, as "GET /v1.41/nodes".
func (e *Engine) Seen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

// Handler answers the version ping itself and everything else with answer.
func (e *Engine) Handler(answer Answer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", APIVersion)
		if r.URL.Path == "/_ping" {
			io.WriteString(w, "OK")
			return
		}
		in, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.seen = append(e.seen, r.Method+" "+r.URL.RequestURI())
		if len(in) > 0 {
			e.bodies = append(e.bodies, string(in))
		}
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		status, body := answer(r.Method + " " + strings.TrimPrefix(r.URL.RequestURI(), "/v"+APIVersion))
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

// Serve starts an engine that answers with answer on a unix socket for
// the test's duration, and returns the socket's path.
func Serve(t testing.TB, answer Answer) (*Engine, string) {
	t.Helper()
	e := &Engine{}
	return e, ServeHandler(t, e.Handler(answer))
}

// ServeHandler serves h on a unix socket in a temporary directory for the
// test's duration.
func ServeHandler(t testing.TB, h http.Handler) string {
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

// NotFound is the engine's answer to a path it does not know.
func NotFound() (int, string) { return http.StatusNotFound, `{"message":"page not found"}` }
