package lab

import (
	"context"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// A node op runs its docker command on the node's container, named by the
// rendered lab; an unknown node runs nothing and lists the lab's nodes.
func TestNodeAction(t *testing.T) {
	stub := stubdocker.New(t, `case "$*" in
    "stop -- lab-worker01" | "kill -- lab-manager" | "pause -- lab-worker01") ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`)
	stub.Use(t)
	cl := Cluster{Containers: map[string]string{"manager": "lab-manager", "worker01": "lab-worker01"}}
	ops := map[string]NodeOp{}
	for _, op := range NodeOps {
		ops[op.Verb] = op
	}
	said, err := cl.NodeAction(context.Background(), ops["stop"], "worker01")
	if err != nil || !strings.Contains(said, "worker01 stopped") {
		t.Errorf("stop worker01: %q, %v", said, err)
	}
	if _, err := cl.NodeAction(context.Background(), ops["kill"], "manager"); err != nil {
		t.Errorf("kill manager: %v", err)
	}
	_, err = cl.NodeAction(context.Background(), ops["pause"], "worker09; rm -rf /")
	if err == nil || !strings.Contains(err.Error(), `no node "worker09; rm -rf /" in this lab; its nodes: manager, worker01`) {
		t.Errorf("an unknown node: %v", err)
	}
	if calls := stub.Calls(); calls != "stop -- lab-worker01\nkill -- lab-manager\n" {
		t.Errorf("calls:\n%s", calls)
	}
}
