// Command echo is the classic "echo" demo application of the Docker/Swarm
// tutorials (image yutsuki/echo:latest): an HTTP server on :8080 that answers
// every request with a line naming the host (the container) that served it.
//
// The end-to-end test builds it with CGO_ENABLED=0 into a FROM scratch image
// (see examples/echo/Dockerfile and e2e/provision.sh).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := ":8080"
	if v := os.Getenv("ECHO_ADDR"); v != "" {
		addr = v
	}
	hostname, err := os.Hostname()
	if err != nil {
		hostname = "unknown"
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s %s", r.RemoteAddr, r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Hello Docker!! from %s\n", hostname)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, 1)
	go func() {
		log.Printf("echo: listening on %s as %s", addr, hostname)
		errc <- srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("echo: %v", err)
		}
	case <-ctx.Done():
		log.Printf("echo: shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}
}
