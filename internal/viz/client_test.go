package viz

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/swarmapi"
	"github.com/swarmgen/swarmgen/internal/testkit/fakeengine"
)

// fakeEngine answers like a Docker 20.10 manager with the node-down
// fixture.
func fakeEngine(req string) (int, string) {
	file := map[string]string{
		"GET /nodes":                "nodes",
		"GET /services?status=true": "services",
		"GET /tasks":                "tasks",
	}[req]
	data, err := os.ReadFile(filepath.Join("testdata", "node-down", file+".json"))
	if file == "" || err != nil {
		return fakeengine.NotFound()
	}
	return 0, string(data)
}

func newClient(t *testing.T, dial swarmapi.Dialer) *swarmapi.Client {
	t.Helper()
	c, err := swarmapi.New(dial)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The model read through the Engine API client is the model of the
// fixture's lists.
func TestClientSource(t *testing.T) {
	e, sock := fakeengine.Serve(t, fakeEngine)
	src := &ClientSource{Client: newClient(t, swarmapi.UnixDialer(sock)), Now: func() time.Time { return fixtureTime }}
	m, err := src.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nodes, services, tasks := loadFixture(t, "node-down")
	if want := BuildModel(nodes, services, tasks, fixtureTime); layout(*m) != layout(want) {
		t.Errorf("model through the client:\n%s\nwant:\n%s", layout(*m), layout(want))
	}
	want := []string{"GET /v1.41/nodes", "GET /v1.41/services?status=true", "GET /v1.41/tasks"}
	if seen := e.Seen(); strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("requests %q, want %q", seen, want)
	}
	if len(nodes) != 4 || len(services) != 4 || len(tasks) != 29 {
		t.Errorf("decoded %d nodes, %d services, %d tasks", len(nodes), len(services), len(tasks))
	}
}

// TestLiveEngine reads a real swarm through ExecDialer when
// VIZ_LIVE_CONTAINER names a running dind manager (e.g. e2e-manager).
func TestLiveEngine(t *testing.T) {
	name := os.Getenv("VIZ_LIVE_CONTAINER")
	if name == "" {
		t.Skip("set VIZ_LIVE_CONTAINER=<dind manager container> to read a real swarm")
	}
	m, err := (&ClientSource{Client: newClient(t, swarmapi.ExecDialer(name))}).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", RenderText(m, 100))
	if len(m.Nodes) == 0 {
		t.Error("no nodes")
	}
}
