package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/endpoint"
)

// checkEndpoint checks the lab's Docker endpoint from the host: the docker
// context lists every node, a stack file that exists only on the host
// deploys through it and converges, swarmgen env points a shell's docker
// at the lab (and swarmgen itself still manages it from such a shell), and
// the TLS port refuses a client without the lab's certificate.
func checkEndpoint(t *testing.T, h *harness, labName, manager string, nodes int) {
	ctxName := endpoint.ContextName(labName)
	names := docker(t, "--context", ctxName, "node", "ls", "--format", "{{.Hostname}}")
	if n := len(strings.Fields(names)); n != nodes {
		t.Errorf("docker --context %s node ls: %d nodes, want %d:\n%s", ctxName, n, nodes, names)
	}

	// a stack file only the host has
	stackFile := filepath.Join(t.TempDir(), "host-only.yml")
	if err := os.WriteFile(stackFile, []byte(`version: "3.8"
services:
  web:
    image: registry:5000/yutsuki/echo:latest
    deploy:
      endpoint_mode: dnsrr
`), 0o644); err != nil {
		t.Fatal(err)
	}
	docker(t, "--context", ctxName, "stack", "deploy", "-c", stackFile, "hostonly")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		reps := docker(t, "--context", ctxName, "service", "ls", "--filter", "name=hostonly_web", "--format", "{{.Replicas}}")
		if reps == "1/1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("hostonly_web deployed through the context: %q replicas after 2m", reps)
		}
		time.Sleep(time.Second)
	}
	docker(t, "--context", ctxName, "stack", "rm", "hostonly")

	// eval "$(swarmgen env)": docker reaches the lab; swarmgen still works
	sh := exec.Command("sh", "-c", `eval "$("$0" env -f "$1/swarm.yaml" -o "$1")" &&
docker node ls --format '{{.Hostname}}' && "$0" status -f "$1/swarm.yaml" -o "$1" >/dev/null && echo status-ok`, h.bin, h.dir)
	out, err := sh.CombinedOutput()
	if err != nil || len(strings.Fields(string(out))) != nodes+1 || !strings.HasSuffix(strings.TrimSpace(string(out)), "status-ok") {
		t.Errorf("eval swarmgen env; docker node ls; swarmgen status: %v\n%s", err, out)
	}

	// the port wants the lab's client certificate
	port := docker(t, "port", manager, fmt.Sprintf("%d/tcp", endpoint.Port))
	addr := strings.Fields(port)[0]
	certs := filepath.Join(h.dir, endpoint.CertDir, "client")
	caPEM, err := os.ReadFile(filepath.Join(certs, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	get := func(certs []tls.Certificate) error {
		c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
		resp, err := c.Get("https://" + addr + "/version")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	}
	if err := get(nil); err == nil {
		t.Errorf("https://%s/version answered a client without a certificate", addr)
	} else {
		t.Logf("without a client certificate: %v", err)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(certs, "cert.pem"), filepath.Join(certs, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := get([]tls.Certificate{pair}); err != nil {
		t.Errorf("with the lab's client certificate: %v", err)
	}
}

// contextGone checks that down removed the lab's context and certificates
// and left another context alone.
func contextGone(t *testing.T, h *harness, labName, other string) {
	if out, err := exec.Command("docker", "context", "inspect", endpoint.ContextName(labName)).CombinedOutput(); err == nil {
		t.Errorf("down left the docker context %s:\n%s", endpoint.ContextName(labName), out)
	}
	if _, err := os.Stat(filepath.Join(h.dir, endpoint.CertDir)); err == nil {
		t.Errorf("down left %s", endpoint.CertDir)
	}
	docker(t, "context", "inspect", other)
}
