// Command demo serves the visualizer's page from a fake swarm (20 nodes,
// 200 tasks by default) that changes every second, for checking the page by
// hand or in headless Chromium:
//
//	go run ./internal/viz/internal/demo -addr 127.0.0.1:8089
//
// With -container NAME (a dind manager, through docker exec) or -socket
// PATH it serves a real engine's swarm instead.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/viz"
	"github.com/swarmgen/swarmgen/internal/viz/internal/synthetic"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "address to listen on (port 0: any free port)")
	nodes := flag.Int("nodes", 20, "number of nodes of the fake swarm")
	tasks := flag.Int("tasks", 200, "number of tasks of the fake swarm")
	period := flag.Duration("period", time.Second, "how often the fake swarm changes")
	container := flag.String("container", "", "read the swarm of this dind manager container (docker exec) instead")
	socket := flag.String("socket", "", "read the swarm of the engine at this unix socket instead")
	auth := flag.String("auth", "", "basic auth user:pass (empty: none)")
	flag.Parse()

	var src viz.Source = &synthetic.Source{Nodes: *nodes, Tasks: *tasks, Period: *period}
	title := "swarm visualizer (demo)"
	var dial swarmapi.Dialer
	switch {
	case *container != "":
		dial, title = swarmapi.ExecDialer(*container), "swarm visualizer: "+*container
	case *socket != "":
		dial, title = swarmapi.UnixDialer(*socket), "swarm visualizer: "+*socket
	}
	if dial != nil {
		c, err := swarmapi.New(dial)
		if err != nil {
			log.Fatal(err)
		}
		src = &viz.ClientSource{Client: c}
	}
	h := viz.NewServer(src, viz.Options{Auth: *auth, Title: title})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s/\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
