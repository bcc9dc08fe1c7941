package viz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// APIVersion is the Engine API version the client asks for first: 1.41 is
// Docker 20.10's, and every later engine up to 28 still accepts it. An engine
// whose minimum is higher (29 and later) says so, and the client retries once
// with that minimum; the few fields read here are the same in every version.
const APIVersion = "1.41"

// maxBody caps what one Engine API answer may hold (a swarm's task list with
// history is a few MiB at most).
const maxBody = 64 << 20

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

// Client reads a swarm manager's state from the Docker Engine API. It uses
// only the standard library; it is safe for concurrent use.
type Client struct {
	hc *http.Client

	mu      sync.Mutex
	version string
}

// NewClient returns a Client that reaches the engine through dial: every
// HTTP connection is one call to dial (see UnixDialer and ExecDialer).
// Idle connections are kept and reused, so polling costs no new dial.
func NewClient(dial func(ctx context.Context) (net.Conn, error)) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dial(ctx)
		},
		MaxIdleConns:          2,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		DisableCompression:    true,
	}
	return &Client{hc: &http.Client{Transport: tr}, version: APIVersion}
}

// CloseIdleConnections closes the connections kept for reuse (for
// ExecDialer, this ends their docker exec processes).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Nodes lists the swarm's nodes (GET /nodes).
func (c *Client) Nodes(ctx context.Context) ([]Node, error) {
	var v []Node
	return v, c.get(ctx, "/nodes", &v)
}

// Services lists the swarm's services with their running and desired task
// counts (GET /services?status=true).
func (c *Client) Services(ctx context.Context) ([]Service, error) {
	var v []Service
	return v, c.get(ctx, "/services?status=true", &v)
}

// Tasks lists every task the manager knows, history included (GET /tasks).
func (c *Client) Tasks(ctx context.Context) ([]Task, error) {
	var v []Task
	return v, c.get(ctx, "/tasks", &v)
}

var minVersionRE = regexp.MustCompile(`[Mm]inimum supported API version is (\d+\.\d+)`)

func (c *Client) get(ctx context.Context, path string, into any) error {
	for attempt := 0; ; attempt++ {
		c.mu.Lock()
		version := c.version
		c.mu.Unlock()
		status, body, err := c.do(ctx, "/v"+version+path)
		if err != nil {
			return err
		}
		if status == http.StatusOK {
			if err := json.Unmarshal(body, into); err != nil {
				return fmt.Errorf("Docker engine: GET %s: cannot decode the answer: %w", path, err)
			}
			return nil
		}
		msg := engineMessage(body)
		if m := minVersionRE.FindStringSubmatch(msg); status == http.StatusBadRequest && m != nil && attempt == 0 {
			c.mu.Lock()
			c.version = m[1]
			c.mu.Unlock()
			continue
		}
		if status == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(msg), "not a swarm manager") {
			return &engineError{
				msg:  "this node is not a swarm manager: the visualizer must read a manager's engine (the engine said: " + msg + ")",
				kind: ErrNotManager,
			}
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		return fmt.Errorf("Docker engine: GET %s: %d %s", path, status, msg)
	}
}

func (c *Client) do(ctx context.Context, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "swarmgen-viz")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, transportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, fmt.Errorf("Docker engine: reading the answer to GET %s: %w", path, transportError(err))
	}
	if len(body) > maxBody {
		return 0, nil, fmt.Errorf("Docker engine: the answer to GET %s is larger than %d MiB", path, maxBody>>20)
	}
	return resp.StatusCode, body, nil
}

// transportError returns the dialer's own message when there is one, rather
// than net/http's wrapping of it.
func transportError(err error) error {
	var ee *engineError
	if errors.As(err, &ee) {
		return ee
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &engineError{msg: "the Docker engine did not answer in time", kind: ErrUnreachable, cause: err}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &engineError{msg: "cannot reach the Docker engine: " + err.Error(), kind: ErrUnreachable, cause: err}
}

// engineMessage extracts the text of an Engine API error answer: JSON
// {"message": "..."}, or plain text.
func engineMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// Node is the part of an Engine API node (GET /nodes) the visualizer uses.
type Node struct {
	ID            string
	Spec          NodeSpec
	Description   NodeDescription
	Status        NodeStatus
	ManagerStatus *ManagerStatus `json:",omitempty"`
}

// NodeSpec is a node's desired configuration.
type NodeSpec struct {
	Name         string            `json:",omitempty"`
	Labels       map[string]string `json:",omitempty"`
	Role         string            // "manager" or "worker"
	Availability string            // "active", "pause" or "drain"
}

// NodeDescription is what the node reported about itself.
type NodeDescription struct {
	Hostname string
	Platform struct {
		Architecture string
		OS           string
	}
	Engine struct {
		EngineVersion string
		Labels        map[string]string `json:",omitempty"`
	}
}

// NodeStatus is the node's state as the managers see it.
type NodeStatus struct {
	State   string // "unknown", "down", "ready" or "disconnected"
	Message string `json:",omitempty"`
	Addr    string `json:",omitempty"`
}

// ManagerStatus is set for manager nodes only.
type ManagerStatus struct {
	Leader       bool `json:",omitempty"`
	Reachability string
	Addr         string
}

// Service is the part of an Engine API service (GET /services?status=true)
// the visualizer uses.
type Service struct {
	ID            string
	Spec          ServiceSpec
	ServiceStatus *ServiceStatus `json:",omitempty"`
}

// ServiceSpec is a service's definition.
type ServiceSpec struct {
	Name         string
	Labels       map[string]string `json:",omitempty"`
	TaskTemplate struct {
		ContainerSpec *ContainerSpec `json:",omitempty"`
	}
	Mode ServiceMode
}

// ServiceMode is set in exactly one of its fields.
type ServiceMode struct {
	Replicated    *ReplicatedService `json:",omitempty"`
	Global        *struct{}          `json:",omitempty"`
	ReplicatedJob *struct {
		MaxConcurrent    *uint64 `json:",omitempty"`
		TotalCompletions *uint64 `json:",omitempty"`
	} `json:",omitempty"`
	GlobalJob *struct{} `json:",omitempty"`
}

// ReplicatedService is the replicated mode's setting.
type ReplicatedService struct {
	Replicas *uint64 `json:",omitempty"`
}

// ServiceStatus is present with ?status=true (API 1.41+).
type ServiceStatus struct {
	RunningTasks   uint64
	DesiredTasks   uint64
	CompletedTasks uint64
}

// ContainerSpec is the container part of a service or task spec.
type ContainerSpec struct {
	Image string
}

// Task is the part of an Engine API task (GET /tasks) the visualizer uses.
type Task struct {
	ID        string
	ServiceID string
	NodeID    string `json:",omitempty"`
	Slot      int    `json:",omitempty"` // 0 for global services' tasks
	Spec      struct {
		ContainerSpec *ContainerSpec `json:",omitempty"`
	}
	Status       TaskStatus
	DesiredState string
}

// TaskStatus is a task's observed state.
type TaskStatus struct {
	Timestamp time.Time
	State     string // "new", "pending", "assigned", …, "running", "complete", "failed", "shutdown", …
	Message   string `json:",omitempty"`
	Err       string `json:",omitempty"`
}
