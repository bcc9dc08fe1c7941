// Command visualizer is the end-to-end test's offline stand-in for
// dockersamples/visualizer (image swarmgen-e2e/visualizer:latest).
//
// It listens on :8080 and answers GET / with HTTP 200 and a short HTML page.
// When the Docker Engine socket (/var/run/docker.sock, or $DOCKER_SOCK) is
// mounted, the page also lists the swarm nodes (on a manager) or the
// node's swarm state, read from the Engine API over the unix socket.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type node struct {
	Description struct {
		Hostname string
	}
	Spec struct {
		Role         string
		Availability string
	}
	Status struct {
		State string
		Addr  string
	}
	ManagerStatus *struct {
		Leader       bool
		Reachability string
	}
}

type info struct {
	Name  string
	Swarm struct {
		LocalNodeState   string
		ControlAvailable bool
		Nodes            int
		Managers         int
	}
}

func engineClient(sock string) *http.Client {
	return &http.Client{
		Timeout: 3 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", sock)
			},
		},
	}
}

func getJSON(c *http.Client, path string, v any) error {
	resp, err := c.Get("http://docker" + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// swarmHTML describes the swarm as seen through the engine socket, or says
// why it cannot.
func swarmHTML(sock string) string {
	if _, err := os.Stat(sock); err != nil {
		return "<p>No Docker socket mounted (" + html.EscapeString(sock) + ").</p>\n"
	}
	c := engineClient(sock)
	var in info
	if err := getJSON(c, "/info", &in); err != nil {
		return "<p>Docker engine not reachable: " + html.EscapeString(err.Error()) + "</p>\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<p>Engine %s: swarm %s, %d node(s), %d manager(s).</p>\n",
		html.EscapeString(in.Name), html.EscapeString(in.Swarm.LocalNodeState), in.Swarm.Nodes, in.Swarm.Managers)
	if !in.Swarm.ControlAvailable {
		return b.String()
	}
	var nodes []node
	if err := getJSON(c, "/nodes", &nodes); err != nil {
		fmt.Fprintf(&b, "<p>Cannot list nodes: %s</p>\n", html.EscapeString(err.Error()))
		return b.String()
	}
	b.WriteString("<table>\n<tr><th>node</th><th>role</th><th>state</th><th>availability</th><th>address</th></tr>\n")
	for _, n := range nodes {
		role := n.Spec.Role
		if n.ManagerStatus != nil && n.ManagerStatus.Leader {
			role += " (leader)"
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			html.EscapeString(n.Description.Hostname), html.EscapeString(role),
			html.EscapeString(n.Status.State), html.EscapeString(n.Spec.Availability),
			html.EscapeString(n.Status.Addr))
	}
	b.WriteString("</table>\n")
	return b.String()
}

func main() {
	addr := ":8080"
	if v := os.Getenv("VISUALIZER_ADDR"); v != "" {
		addr = v
	}
	sock := "/var/run/docker.sock"
	if v := os.Getenv("DOCKER_SOCK"); v != "" {
		sock = v
	}
	hostname, _ := os.Hostname()

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>Visualizer</title></head><body>\n"+
			"<h1>Visualizer</h1>\n<p>served by %s</p>\n%s</body></html>\n",
			html.EscapeString(hostname), swarmHTML(sock))
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		log.Printf("visualizer: listening on %s", addr)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("visualizer: %v", err)
		}
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}
}
