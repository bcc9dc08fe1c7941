package golden

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/endpoint"
)

// certificates runs the certificates step of the classic lab's script in
// dir (its generated files' directory), against a stub docker.
func certificates(t *testing.T, dir, scenario, env string) (out, calls string, err error) {
	t.Helper()
	return runScenario(t, scenario, `cd `+dir+`
`+env+`
step certificates certificates
`)
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		t.Fatalf("%s holds no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The step makes a CA, a server certificate the host's clients can check
// (127.0.0.1, localhost) and a client certificate, private to the user,
// keeps no CA key, and makes them once; changed names make them again and
// restart the running managers, which read them at start.
func TestCertificatesStep(t *testing.T) {
	if !tool(t, "openssl", "version") {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	tls := filepath.Join(dir, endpoint.CertDir)
	noManager := `case "$*" in inspect*) echo false ;; esac`
	out, calls, err := certificates(t, dir, noManager, "")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ca := x509.NewCertPool()
	ca.AddCert(readCert(t, filepath.Join(tls, "server", "ca.pem")))
	server := readCert(t, filepath.Join(tls, "server", "cert.pem"))
	if _, err := server.Verify(x509.VerifyOptions{Roots: ca, DNSName: "127.0.0.1", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("server certificate for 127.0.0.1: %v", err)
	}
	if err := server.VerifyHostname("localhost"); err != nil {
		t.Errorf("server certificate: %v", err)
	}
	client := readCert(t, filepath.Join(tls, "client", "cert.pem"))
	if _, err := client.Verify(x509.VerifyOptions{Roots: ca, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if _, err := client.Verify(x509.VerifyOptions{Roots: ca, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("the client certificate also serves as a server's")
	}
	if !bytes.Equal(readCert(t, filepath.Join(tls, "client", "ca.pem")).Raw, readCert(t, filepath.Join(tls, "server", "ca.pem")).Raw) {
		t.Error("server and client have different CAs")
	}
	// private: directories 0700, files 0600; the only keys are the two leaves'
	keys := 0
	err = filepath.WalkDir(tls, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		if d.IsDir() && info.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", p, info.Mode().Perm())
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("PRIVATE KEY")) {
			keys++
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600", p, info.Mode().Perm())
			}
			if name := filepath.Base(p); name != "key.pem" {
				t.Errorf("a key is left in %s", p)
			}
		}
		return nil
	})
	if err != nil || keys != 2 {
		t.Errorf("want 2 keys (server, client), found %d: %v", keys, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".swarmgen", ".gitignore")); string(b) != "*\n" {
		t.Errorf(".swarmgen/.gitignore = %q; git would see the keys", b)
	}
	if strings.Contains(calls, "restart") {
		t.Errorf("no manager runs, yet one was restarted:\n%s", calls)
	}

	// a second run keeps them
	before, _ := os.ReadFile(filepath.Join(tls, "client", "cert.pem"))
	out, _, err = certificates(t, dir, noManager, "")
	after, _ := os.ReadFile(filepath.Join(tls, "client", "cert.pem"))
	if err != nil || !bytes.Equal(before, after) || strings.Contains(out, "certificates made") {
		t.Errorf("a second run made them again: %v\n%s", err, out)
	}

	// the names the host dials changed (bind_address): made again, and the
	// running manager restarts to serve them
	out, calls, err = certificates(t, dir, `case "$*" in "inspect --format {{.State.Running}} manager") echo true ;; esac`,
		`TLS_SANS="$TLS_SANS,IP:192.0.2.7"`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := readCert(t, filepath.Join(tls, "server", "cert.pem")).VerifyHostname("192.0.2.7"); err != nil {
		t.Errorf("new names: %v", err)
	}
	if !strings.Contains(calls, "restart manager") {
		t.Errorf("the running manager was not restarted; calls:\n%s", calls)
	}
}

// In plan mode the step lists the certificates and writes nothing.
func TestCertificatesPlan(t *testing.T) {
	dir := t.TempDir()
	out, calls, err := certificates(t, dir, `case "$*" in inspect*) echo false ;; esac`, "PLAN=1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "plan\t+\tcertificate\t"+endpoint.CertDir+"\t") {
		t.Errorf("no plan line for the certificates:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, ".swarmgen")); err == nil {
		t.Errorf("plan mode wrote .swarmgen; calls:\n%s", calls)
	}
}

// contextCert writes DIR/cert.pem (made with DIR) holding LINE, and
// returns the description the docker-context step gives a context that
// holds a copy of it (its cksum, as the script computes it).
func contextCert(t *testing.T, dir, line string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := runSteps(t, `cksum <`+shell.Quote(filepath.Join(dir, "cert.pem"))+` | awk '{ printf "%s", $1 }'`)
	if err != nil {
		t.Fatal(err)
	}
	return "swarmgen lab, certificate " + sum
}

// The docker context is made once, left alone while it names a running
// manager and the current certificate, and pointed at the leader when
// the manager it names is gone or the certificate changed.
func TestDockerContextStep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), `a,"b"`) // --docker is CSV: quoted fields
	certDir := filepath.Join(dir, endpoint.CertDir, "client")
	desc := contextCert(t, certDir, "cert one")
	csvDir := strings.ReplaceAll(certDir, `"`, `""`)
	// the lab's containers: a worker, and the manager with its TLS port
	managers := `"ps -a --filter label=com.docker.compose.project=swarmgen --format {{.Names}} {{.ID}} {{.State}} {{.Ports}}")
      printf 'worker01 id1 running \nmanager id0 running 0.0.0.0:9000->9000/tcp, 127.0.0.1:32771->2376/tcp\n' ;;`
	for _, tc := range []struct {
		name, contexts, env string
		want, never         []string
		plan                string
	}{{
		name:     "no context yet: made for the leader",
		contexts: `printf 'default|unix:///var/run/docker.sock Current DOCKER_HOST based configuration\n'`,
		want:     []string{"context create swarmgen --description " + desc + ` --docker "host=tcp://127.0.0.1:32771","ca=` + csvDir + `/ca.pem","cert=` + csvDir + `/cert.pem","key=` + csvDir + `/key.pem"`},
		never:    []string{"context update"},
	}, {
		name:     "up to date: nothing",
		contexts: `printf 'default *|unix:///var/run/docker.sock x\nswarmgen|tcp://127.0.0.1:32771 ` + desc + `\n'`,
		never:    []string{"context create", "context update", "context rm"},
	}, {
		name:     "it names a manager gone (a new port): pointed at the leader",
		contexts: `printf 'swarmgen|tcp://127.0.0.1:32768 ` + desc + `\n'`,
		want:     []string{"context update swarmgen --description " + desc + ` --docker "host=tcp://127.0.0.1:32771",`},
		never:    []string{"context create"},
	}, {
		name:     "another certificate: updated",
		contexts: `printf 'swarmgen|tcp://127.0.0.1:32771 swarmgen lab, certificate 1\n'`,
		want:     []string{"context update swarmgen "},
	}, {
		name:     "plan mode: listed, not made",
		contexts: `printf 'default|unix:///var/run/docker.sock x\n'`,
		env:      "PLAN=1",
		never:    []string{"context create", "context update"},
		plan:     "plan\t+\tcontext\tswarmgen\ttcp://127.0.0.1:32771 -> manager\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$*" in
    ` + managers + `
    "context ls "*) ` + tc.contexts + ` ;;
  esac`
			out, calls, err := runScenario(t, scenario, "cd "+shell.Quote(dir)+"\n"+tc.env+"\nstep docker-context docker_context\n")
			if err != nil {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			checkCalls(t, calls, tc.want, tc.never)
			if !strings.Contains(out, tc.plan) {
				t.Errorf("output lacks %q:\n%s", tc.plan, out)
			}
		})
	}
}
