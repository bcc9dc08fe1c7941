// Package viz is swarmgen's swarm visualizer: it reads a swarm manager's
// Docker Engine API and serves one web page showing which task runs on
// which node (it replaces dockersamples/visualizer), plus a text rendering
// of the same for terminals.
//
// The pieces:
//
//   - swarmapi.Client (package swarmapi, shared with swarmgen status and
//     the lab's other readers) reads GET /nodes, /services?status=true and
//     /tasks over a connection given by a dialer: swarmapi.UnixDialer for a
//     mounted /var/run/docker.sock, swarmapi.ExecDialer for the engine
//     inside a dind node container (docker exec … docker system dial-stdio).
//   - BuildModel turns those lists into a Model: a column per node, a card
//     per task, a legend per service. It is pure and deterministic.
//   - NewServer serves the page (/), the Model as JSON (/api/state) and its
//     changes as server-sent events (/events) from any Source;
//     ClientSource is the Source over a swarmapi.Client.
//   - DeriveEvents turns two reads into timeline events (a node Down or
//     Ready, a manager unreachable, the leader changed); FaultEvents does
//     the same for the network faults swarmgen net records in the nodes'
//     labels (NodeColumn.Fault). The server keeps
//     the newest Options.MaxEvents in memory and serves them in the Model.
//   - Failover is the Source over several managers that keeps to one
//     that knows a leader (swarmgen viz on the host of a lab).
//   - RenderText draws a Model as text columns for a terminal.
//
// A typical use, on the host of a swarmgen lab:
//
//	c, _ := swarmapi.New(swarmapi.ExecDialer("manager"))
//	h := viz.NewServer(&viz.ClientSource{Client: c}, viz.Options{})
//	http.ListenAndServe("127.0.0.1:8080", h)
//
// The page needs nothing from the network: HTML, CSS and JS are embedded
// and inlined, and the Content-Security-Policy allows nothing else.
package viz
