// Package echoserver is the classic lab's demo app: an HTTP server that
// answers every request with a line naming the host (the container) that
// served it, so requests through a proxy show the load spread over tasks.
// It runs as `swarmgen demo-echo` in the builtin echo image, and as
// examples/echo in the e2e's stand-in for yutsuki/echo.
package echoserver

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// Addr is where the server listens unless ECHO_ADDR says otherwise: the
// port of yutsuki/echo, which the classic stacks use.
const Addr = ":8080"

// Handler answers "Hello Docker!! from HOSTNAME".
func Handler(hostname string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s %s", r.RemoteAddr, r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Hello Docker!! from %s\n", hostname)
	})
}

// Run serves on $ECHO_ADDR (default Addr) until ctx ends, then shuts down
// within two seconds.
func Run(ctx context.Context) error {
	addr := Addr
	if v := os.Getenv("ECHO_ADDR"); v != "" {
		addr = v
	}
	hostname, err := os.Hostname()
	if err != nil {
		hostname = "unknown"
	}
	srv := &http.Server{Addr: addr, Handler: Handler(hostname), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() {
		log.Printf("echo: listening on %s as %s", addr, hostname)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("echo: %w", err)
		}
		return nil
	case <-ctx.Done():
		log.Printf("echo: shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	}
}
