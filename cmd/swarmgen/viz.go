package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/viz"
)

func vizCommand() *cli.Command {
	return &cli.Command{
		Name:  "viz",
		Usage: "serve the swarm visualizer page (which task runs on which node, live)",
		Description: `Reads the Docker Engine API of a manager and serves one read-only page.
Inside the swarm (the builtin visualizer stack) it reads /var/run/docker.sock;
on the host, with a swarm.yaml at hand, it reads the lab's leading manager
through docker exec. Nothing is ever passed through to the Docker API.`,
		Flags: []cli.Flag{
			specFlag(), allowOutsideFlag(), outFlag(), labSelectFlag(),
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "address to serve on"},
			&cli.StringFlag{Name: "socket", Usage: "Docker socket to read (default: the lab's manager if the spec exists, else /var/run/docker.sock)"},
			&cli.StringFlag{Name: "auth", Usage: "require HTTP basic auth, as user:pass (for labs bound beyond localhost)", EnvVars: []string{"SWARMGEN_VIZ_AUTH"}},
			&cli.StringFlag{Name: "auth-user", Usage: "require HTTP basic auth as this user, with the password in --auth-password-file"},
			&cli.StringFlag{Name: "auth-password-file", Usage: "the file holding the password of --auth-user, on one line (the builtin visualizer stack reads a swarm secret)"},
			&cli.StringSliceFlag{Name: "allow-host", Usage: "a host name the page may be reached by, besides IP addresses and localhost (repeatable; * for any)"},
		},
		Action: func(c *cli.Context) error {
			auth := c.String("auth")
			if auth != "" || c.IsSet("auth") {
				if _, _, err := viz.ParseAuth(auth); err != nil {
					return userErrorf("%v", err)
				}
			}
			if c.IsSet("auth-user") || c.IsSet("auth-password-file") {
				if c.IsSet("auth") {
					return userErrorf("give --auth or --auth-user with --auth-password-file, not both")
				}
				var err error
				if auth, err = viz.AuthFromFile(c.String("auth-user"), c.String("auth-password-file")); err != nil {
					return userErrorf("%v", err)
				}
			}
			src, err := vizSource(c)
			if err != nil {
				return err
			}
			defer src.close()
			opts := viz.Options{Auth: auth, AllowedHosts: c.StringSlice("allow-host")}
			srv := &http.Server{
				Addr:              c.String("listen"),
				Handler:           viz.NewServer(src.Source, opts),
				ReadHeaderTimeout: 10 * time.Second,
			}
			ln, err := net.Listen("tcp", srv.Addr)
			if err != nil {
				return userErrorf("cannot listen on %s: %v", srv.Addr, err)
			}
			fmt.Fprintf(c.App.Writer, "visualizer of %s on http://%s\n", src.what, ln.Addr())
			if w := openWarning(ln.Addr(), auth); w != "" {
				fmt.Fprintln(c.App.ErrWriter, w)
			}
			return srv.Serve(ln)
		},
	}
}

// vizParts are what swarmgen viz reads.
type vizParts struct {
	viz.Source
	what    string
	clients []*swarmapi.Client
}

func (p vizParts) close() {
	for _, c := range p.clients {
		c.Close()
	}
}

// vizSource is, on the host of a lab, every manager's engine, the leader
// first (viz.Failover: the page follows the majority when the leader is
// cut off); elsewhere the one engine engineClient picks.
func vizSource(c *cli.Context) (vizParts, error) {
	if !labAtHand(c) {
		api, what, err := engineClient(c)
		return vizParts{Source: &viz.ClientSource{Client: api}, what: what, clients: []*swarmapi.Client{api}}, err
	}
	_, cl, err := selectLab(c)
	if err != nil {
		return vizParts{}, err
	}
	leader, err := cl.Leader(c.Context)
	if err != nil {
		return vizParts{}, cli.Exit(err.Error(), exitUser)
	}
	nodeOf := map[string]string{}
	for name, ctr := range cl.Containers {
		nodeOf[ctr] = name
	}
	order := []string{leader}
	for _, m := range cl.Managers {
		if m != leader {
			order = append(order, m)
		}
	}
	p := vizParts{what: "manager " + leader}
	f := &viz.Failover{}
	for _, ctr := range order {
		api, err := swarmapi.New(cl.Swarm().Dialer(ctr))
		if err != nil {
			p.close()
			return vizParts{}, err
		}
		p.clients = append(p.clients, api)
		name := nodeOf[ctr]
		if name == "" {
			name = ctr
		}
		f.Names = append(f.Names, name)
		f.Sources = append(f.Sources, &viz.ClientSource{Client: api})
	}
	p.Source = f
	if len(order) > 1 {
		p.what += fmt.Sprintf(" (or another of the %d managers when it knows no leader)", len(order))
	}
	return p, nil
}

// engineClient reads a manager's Engine API, picking how to reach it: an
// explicit socket, the lab's leading manager, or the local socket.
func engineClient(c *cli.Context) (*swarmapi.Client, string, error) {
	dial, what, err := engineDialer(c)
	if err != nil {
		return nil, "", err
	}
	api, err := swarmapi.New(dial)
	return api, what, err
}

// labAtHand: the engine to read is a lab's (a spec here, or --lab), not
// the one --socket names or the local socket.
func labAtHand(c *cli.Context) bool {
	if c.String("socket") != "" {
		return false
	}
	_, err := os.Stat(specPath(c))
	return err == nil || labName(c) != ""
}

func engineDialer(c *cli.Context) (swarmapi.Dialer, string, error) {
	if sock := c.String("socket"); sock != "" {
		return swarmapi.UnixDialer(sock), sock, nil
	}
	if labAtHand(c) {
		_, cl, err := selectLab(c)
		if err != nil {
			return nil, "", err
		}
		leader, err := cl.Leader(c.Context)
		if err != nil {
			return nil, "", cli.Exit(err.Error(), exitUser)
		}
		return cl.Swarm().Dialer(leader), "manager " + leader, nil
	}
	return swarmapi.UnixDialer(swarmapi.DefaultSocket), swarmapi.DefaultSocket, nil
}

// watchStatus redraws the terminal view until interrupted: nodes as
// columns, their tasks under them.
func watchStatus(c *cli.Context) error {
	api, _, err := engineClient(c)
	if err != nil {
		return err
	}
	defer api.Close()
	src := &viz.ClientSource{Client: api}
	tty := isTerminal(c.App.Writer)
	width := 120
	if tty {
		if w, ok := terminalWidth(); ok {
			width = w
		}
	}
	for {
		ctx, cancel := context.WithTimeout(c.Context, 10*time.Second)
		m, err := src.Snapshot(ctx)
		cancel()
		if errors.Is(c.Context.Err(), context.Canceled) {
			return nil
		}
		if tty {
			fmt.Fprint(c.App.Writer, "\033[H\033[2J") // home and clear: redraw in place
		}
		if err != nil {
			fmt.Fprintf(c.App.Writer, "cannot read the swarm: %v\n", err)
		} else {
			fmt.Fprint(c.App.Writer, viz.RenderText(m, width))
		}
		if !tty {
			fmt.Fprintln(c.App.Writer, "---")
		}
		select {
		case <-c.Context.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// terminalWidth reads $COLUMNS; without it the default width is kept.
func terminalWidth() (int, bool) {
	var w int
	if _, err := fmt.Sscan(os.Getenv("COLUMNS"), &w); err == nil && w > 20 {
		return w, true
	}
	return 0, false
}

// openWarning is the warning for a page served without a password beyond
// this host (0.0.0.0 and :: are every address), or "".
func openWarning(a net.Addr, auth string) string {
	if t, ok := a.(*net.TCPAddr); auth != "" || (ok && t.IP.IsLoopback()) {
		return ""
	}
	return fmt.Sprintf("warning: served without a password on %s, beyond this host: anyone who reaches it sees the swarm's nodes, services and images; give --auth-user and --auth-password-file, or --listen 127.0.0.1:PORT", a)
}
