package swarmapi

import (
	"context"
	"errors"
	"maps"
	"net"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// The swarm's objects as the Engine API gives them: one set of types for
// every reader.
type (
	Node    = swarm.Node
	Service = swarm.Service
	Task    = swarm.Task
)

// Errors a Client returns can be told apart with errors.Is.
var (
	// ErrUnreachable: no connection to the engine (socket missing, engine
	// down, container not running).
	ErrUnreachable = errors.New("cannot reach the Docker engine")
	// ErrPermission: the socket exists but this process may not open it.
	ErrPermission = errors.New("permission denied on the Docker engine socket")
	// ErrNotManager: the engine answered, but it is not a swarm manager (or
	// not in a swarm at all), so it cannot list nodes, services and tasks.
	ErrNotManager = errors.New("this node is not a swarm manager")
	// ErrNoLeader: the engine is a manager, but the swarm has no leader to
	// answer (too few managers are up for a majority).
	ErrNoLeader = errors.New("the swarm does not have a leader")
)

// engineError carries a complete, user-facing message, a kind for errors.Is
// and the underlying cause.
type engineError struct {
	msg   string
	kind  error
	cause error
}

func (e *engineError) Error() string        { return e.msg }
func (e *engineError) Is(target error) bool { return target == e.kind }
func (e *engineError) Unwrap() error        { return e.cause }

// Dialer opens one connection to an engine (see UnixDialer and ExecDialer).
type Dialer func(ctx context.Context) (net.Conn, error)

// Client reads a swarm manager's state from the Docker Engine API. It is
// safe for concurrent use.
type Client struct {
	api *client.Client
}

// dialErrKey holds, in a request's context, where its dialer's error goes:
// the official client rewrites dial errors ("Cannot connect to the Docker
// daemon at http://docker"), and the dialer's own says what to do.
type dialErrKey struct{}

type dialErrSlot struct {
	mu  sync.Mutex
	err error
}

// New returns a Client that reaches the engine through dial: every HTTP
// connection is one call to dial. Idle connections are kept and reused,
// so polling costs no new dial; Close ends them.
func New(dial Dialer) (*Client, error) {
	api, err := client.New(
		client.WithHost("http://docker"), // any host: dial decides where requests go
		client.WithDialContext(func(ctx context.Context, _, _ string) (net.Conn, error) {
			conn, err := dial(ctx)
			if err != nil {
				if slot, ok := ctx.Value(dialErrKey{}).(*dialErrSlot); ok {
					slot.mu.Lock()
					slot.err = err
					slot.mu.Unlock()
				}
			}
			return conn, err
		}),
		client.WithUserAgent("swarmgen"),
		client.WithAPIVersionNegotiation(),
	)
	if err != nil {
		return nil, err
	}
	return &Client{api: api}, nil
}

// Close closes the connections kept for reuse (for ExecDialer, this ends
// their docker exec processes).
func (c *Client) Close() error { return c.api.Close() }

// Nodes lists the swarm's nodes (GET /nodes).
func (c *Client) Nodes(ctx context.Context) ([]Node, error) {
	var res client.NodeListResult
	err := c.call(ctx, func(ctx context.Context) (err error) {
		res, err = c.api.NodeList(ctx, client.NodeListOptions{})
		return err
	})
	return res.Items, err
}

// Services lists the swarm's services with their running and desired task
// counts (GET /services?status=true).
func (c *Client) Services(ctx context.Context) ([]Service, error) {
	var res client.ServiceListResult
	err := c.call(ctx, func(ctx context.Context) (err error) {
		res, err = c.api.ServiceList(ctx, client.ServiceListOptions{Status: true})
		return err
	})
	return res.Items, err
}

// Tasks lists the tasks the manager knows (GET /tasks), history included
// unless desiredRunning asks, as docker service ps --filter
// desired-state=running does, for those meant to run only.
func (c *Client) Tasks(ctx context.Context, desiredRunning bool) ([]Task, error) {
	opts := client.TaskListOptions{}
	if desiredRunning {
		opts.Filters = client.Filters{}.Add("desired-state", "running")
	}
	var res client.TaskListResult
	err := c.call(ctx, func(ctx context.Context) (err error) {
		res, err = c.api.TaskList(ctx, opts)
		return err
	})
	return res.Items, err
}

// NodeID is the swarm node ID of the engine's own node (GET /info).
func (c *Client) NodeID(ctx context.Context) (string, error) {
	var res client.SystemInfoResult
	err := c.call(ctx, func(ctx context.Context) (err error) {
		res, err = c.api.Info(ctx, client.InfoOptions{})
		return err
	})
	return res.Info.Swarm.NodeID, err
}

// SetNodeLabels sets labels of node n as listed (its spec and version:
// the engine refuses an update of a node changed since, and the caller
// lists again); a value "" removes the label. A node that has them so
// already is not updated.
func (c *Client) SetNodeLabels(ctx context.Context, n Node, set map[string]string) error {
	labels := maps.Clone(n.Spec.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	changed := false
	for k, v := range set {
		old, had := labels[k]
		switch {
		case v == "" && had:
			delete(labels, k)
			changed = true
		case v != "" && old != v:
			labels[k] = v
			changed = true
		}
	}
	if !changed {
		return nil
	}
	spec := n.Spec
	spec.Labels = labels
	return c.call(ctx, func(ctx context.Context) error {
		_, err := c.api.NodeUpdate(ctx, n.ID, client.NodeUpdateOptions{Version: n.Version, Spec: spec})
		return err
	})
}

// call runs one request and turns its error into one that says what is
// wrong and what to do.
func (c *Client) call(ctx context.Context, do func(context.Context) error) error {
	slot := &dialErrSlot{}
	err := do(context.WithValue(ctx, dialErrKey{}, slot))
	if err == nil {
		return nil
	}
	slot.mu.Lock()
	dialErr := slot.err
	slot.mu.Unlock()
	var ee *engineError
	switch {
	case dialErr != nil && !errors.Is(dialErr, context.Canceled) && !errors.Is(dialErr, context.DeadlineExceeded):
		return dialErr
	case errors.As(err, &ee): // the exec dialer's command ended: its stderr
		return ee
	case errors.Is(err, context.DeadlineExceeded):
		return &engineError{msg: "the Docker engine did not answer in time", kind: ErrUnreachable, cause: err}
	case errors.Is(err, context.Canceled):
		return err
	case client.IsErrConnectionFailed(err):
		return &engineError{msg: "cannot reach the Docker engine: " + err.Error(), kind: ErrUnreachable, cause: err}
	}
	msg := strings.TrimPrefix(err.Error(), "Error response from daemon: ")
	switch lower := strings.ToLower(msg); {
	case cerrdefs.IsUnavailable(err) && strings.Contains(lower, "not a swarm manager"):
		return &engineError{
			msg:  "this node is not a swarm manager, and only a manager's engine knows the swarm (the engine said: " + msg + ")",
			kind: ErrNotManager, cause: err,
		}
	case strings.Contains(lower, "does not have a leader"), strings.Contains(lower, "context deadline exceeded"):
		// the second: raft gave up waiting for a majority
		return &engineError{msg: "Docker engine: " + msg, kind: ErrNoLeader, cause: err}
	}
	return &engineError{msg: "Docker engine: " + msg, cause: err}
}
