package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/endpointdef"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// runMachines runs the machines case's bootstrap.sh up to where its modes
// and steps start, then body, in dir (its generated files' directory),
// with a stub docker that answers as scenario says and also logs, for
// every call, the docker CLI environment it got: "HOST|CERT_PATH|CONTEXT
// ARGS" lines in the file env.
func runMachines(t *testing.T, dir, scenario, body string) (out, calls, env string, err error) {
	t.Helper()
	return runMachinesIn(t, dir, scenario, body, nil)
}

// runMachinesIn is runMachines that also tells the stub's directory (what
// a scenario wrote there) through stubDir, unless nil.
func runMachinesIn(t *testing.T, dir, scenario, body string, stubDir *string) (out, calls, env string, err error) {
	t.Helper()
	stub := stubdocker.New(t, `printf '%s|%s|%s %s\n' "${DOCKER_HOST:-}" "${DOCKER_CERT_PATH:-}" "${DOCKER_CONTEXT:-}" "$*" >>"$STUB_DIR/env"
`+scenario)
	file := filepath.Join(t.TempDir(), "bootstrap.sh")
	if err := os.WriteFile(file, []byte(scriptPart(t, "machines", "cd "+shell.Quote(dir)+"\n"+body)), 0o755); err != nil {
		t.Fatal(err)
	}
	if stubDir != nil {
		*stubDir = stub.Dir
	}
	cmd := exec.Command("bash", file)
	// the user's own docker environment must not leak to a machine
	cmd.Env = append(stub.Env(), "DOCKER_HOST=unix:///users-own.sock", "DOCKER_CONTEXT=users-own")
	b, err := cmd.CombinedOutput()
	e, _ := os.ReadFile(filepath.Join(stub.Dir, "env"))
	return string(b), stub.Calls(), string(e), err
}

// The one transport: a machine is reached by the docker CLI of this host
// with the machine's endpoint and TLS directory, or its context, never
// with the caller's own DOCKER_HOST or DOCKER_CONTEXT and never by docker
// exec; batched reads (on_sh) run sh here with the same environment. A
// lab of containers reaches its nodes by docker exec.
func TestMachineTransport(t *testing.T) {
	out, calls, env, err := runMachines(t, t.TempDir(), `echo answer; [ -z "${SWARMGEN_X:-}" ] || echo "X=$SWARMGEN_X $*" >&2`, `
on m1 node ls
on w1 info
on w2 info
on_sh m1 'docker version; docker ps' sh
export SWARMGEN_X=1
on_sh m1 -e SWARMGEN_X 'docker stack deploy -c ./stack/web.yml web' sh
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"tcp://192.0.2.11:2376|../certs/m1| node ls",
		"ssh://admin@w1.example|| info",
		"||lab-w2 info",
		"tcp://192.0.2.11:2376|../certs/m1| version",
		"tcp://192.0.2.11:2376|../certs/m1| ps",
		"tcp://192.0.2.11:2376|../certs/m1| stack deploy -c ./stack/web.yml web",
	} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("no call %q; calls with their environment:\n%s", want, env)
		}
	}
	checkCalls(t, env, nil, []string{"users-own", "exec "})
	if !strings.Contains(out, "X=1 stack deploy") {
		t.Errorf("the stack's variable did not reach docker:\n%s", out)
	}
	if strings.Count(calls, "\n") != 6 {
		t.Errorf("want 6 docker calls:\n%s", calls)
	}

	// containers: docker exec, with the variables a stack file names
	out, calls, err = runScenario(t, `echo answer`, `
on manager node ls
export SWARMGEN_X=1
on_sh manager -e SWARMGEN_X 'docker stack deploy -c /stack/web.yml web' sh
on_sh manager 'docker version' sh
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkCalls(t, calls, []string{
		"exec manager docker node ls\n",
		"exec -e SWARMGEN_X manager sh -c docker stack deploy -c /stack/web.yml web sh\n",
		"exec manager sh -c docker version sh\n",
	}, nil)
}

// The lab registry's CA and the lab's client certificate (the registry
// answers no client without one) go into every machine's certs.d through
// a container of an imported tool image that is created, never started,
// and removed with the image; docker cp writes the machine's own
// /etc/docker/certs.d/HOST:PORT (ca.crt, client.cert, client.key: 0600)
// through the bind mount. The files there are read first (docker cp out
// of such a container, whose read-only bind of /etc/docker creates
// nothing) and written only when one is missing or another; a plan lists
// that as + or ~, and nothing when they are the same.
func TestMachineCertsDPlacement(t *testing.T) {
	// HAVE: the machine's ca.crt ("" when it has no directory), HAVECLIENT
	// its client.cert and client.key ("" when it has none), as a tar
	// stream; the directory docker cp writes is listed into $STUB_DIR/sent
	scenario := `case "$*" in
  create*) echo cid123 ;;
  "cp cid123:/parent/certs.d/192.0.2.11:5000 -")
    [ -n "${HAVE:-}" ] || { echo "Error: no such file" >&2; exit 1; }
    d="$STUB_DIR/m/192.0.2.11:5000" && mkdir -p "$d" && echo "$HAVE" >"$d/ca.crt"
    [ -z "${HAVECLIENT:-}" ] || { echo "$HAVECLIENT" >"$d/client.cert"; echo "$HAVECLIENT key" >"$d/client.key"; }
    tar -C "$STUB_DIR/m" -cf - 192.0.2.11:5000 ;;
  "cp "*" cid123:/certs.d/")
    for f in "$2"/*; do printf '%s %s %s\n' "${f##*/}" "$(stat -c %a "$f")" "$(cat "$f")"; done >"$STUB_DIR/sent" ;;
esac`
	read := []string{
		"import --change LABEL dev.swarmgen.lab=fleet - swarmgen/certs-tool:fleet\n",
		"create --label dev.swarmgen.lab=fleet --mount type=bind,src=/etc/docker,dst=/parent,readonly swarmgen/certs-tool:fleet /none\n",
		"cp cid123:/parent/certs.d/192.0.2.11:5000 -\n",
		"rm cid123\n",
		"image rm swarmgen/certs-tool:fleet\n",
	}
	write := []string{
		"create --label dev.swarmgen.lab=fleet --volume /etc/docker/certs.d:/certs.d swarmgen/certs-tool:fleet /none\n",
		"/certs.d/192.0.2.11:5000 cid123:/certs.d/\n",
	}
	never := []string{"start", "run ", "exec", "pull"}
	const dir = "/etc/docker/certs.d/192.0.2.11:5000"
	for _, tc := range []struct {
		have, client, plan string
		writes             bool
	}{
		{"", "", "plan\t+\tcertificate\tw1\t" + dir + ": the lab registry's CA and client certificate\n", true},
		{"OLD", "CLIENT", "plan\t~\tcertificate\tw1\t" + dir + ": the lab registry's CA and client certificate instead of the files there\n", true},
		// a machine of a lab made before the registry asked for a client
		// certificate: the CA only
		{"CA", "", "plan\t~\tcertificate\tw1\t" + dir + ": the lab registry's CA and client certificate instead of the files there\n", true},
		{"CA", "OTHER", "plan\t~\tcertificate\tw1\t" + dir + ": the lab registry's CA and client certificate instead of the files there\n", true},
		{"CA", "CLIENT", "", false},
	} {
		for _, plan := range []bool{false, true} {
			work := t.TempDir()
			tls := filepath.Join(work, ".swarmgen/tls/registry")
			for name, content := range map[string]string{"server/ca.pem": "CA", "client/cert.pem": "CLIENT", "client/key.pem": "CLIENT key"} {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(tls, name)), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(tls, name), []byte(content+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			body := `
mkdir -p "$RUN_DIR/certs.d/$REGISTRY_PULL" && certs_d_files "$RUN_DIR/certs.d/$REGISTRY_PULL"
HAVE=` + tc.have + ` HAVECLIENT=` + tc.client + ` PLAN=` + map[bool]string{false: "0", true: "1"}[plan] + ` certs_d_put w1
echo "tool: $(tar -tf "$RUN_DIR/tool.tar" | sort | tr '\n' ' ')"
`
			stubDir := ""
			out, calls, _, err := runMachinesIn(t, work, scenario, body, &stubDir)
			name := "have " + tc.have + "/" + tc.client + map[bool]string{false: ", up", true: ", plan"}[plan]
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
			checkCalls(t, calls, read, never)
			sent, _ := os.ReadFile(filepath.Join(stubDir, "sent"))
			if w := tc.writes && !plan; w {
				checkCalls(t, calls, write, nil)
				if want := "ca.crt 600 CA\nclient.cert 600 CLIENT\nclient.key 600 CLIENT key\n"; string(sent) != want {
					t.Errorf("%s: certs.d written with\n%s\nwant\n%s", name, sent, want)
				}
			} else {
				checkCalls(t, calls, nil, []string{"--volume", "cid123:/certs.d"})
			}
			gotPlan := ""
			for _, l := range strings.SplitAfter(out, "\n") {
				if strings.HasPrefix(l, "plan\t") {
					gotPlan += l
				}
			}
			if want := map[bool]string{false: "", true: tc.plan}[plan]; gotPlan != want {
				t.Errorf("%s: plan lines %q, want %q\n%s", name, gotPlan, want, out)
			}
			if !strings.Contains(out, "tool: ./ ./bin ./lib ./lib64 ./sbin \n") {
				t.Errorf("%s: the tool image holds other than the symlinks to /usr: %s", name, out)
			}
		}
	}
}

// A machine in a swarm that is not the lab's is refused, naming it and
// take_over_swarm, before anything changes on any machine; with
// take_over_swarm it leaves that swarm first; a machine in the lab's own
// swarm (its manager's node carries the lab's label) is the lab's.
func TestMachineInAnotherSwarm(t *testing.T) {
	scenario := `case "$*" in
  "info --format"*)
    case "$DOCKER_HOST$DOCKER_CONTEXT" in
      *192.0.2.11*) echo "m1 ${M1_STATE:-inactive} ${M1_ID:-} ${M1_CLUSTER:-}" ;;
      *w1.example*) echo "w1 active nodew1 other-cluster" ;;
      *) echo "w2 inactive  " ;;
    esac ;;
  "node inspect --format"*) echo "${M1_LAB:-}" ;;
  "node ls -q") echo nodem1 ;;
  "network ls"*) echo gwid ;;
esac`
	out, calls, _, err := runMachines(t, t.TempDir(), scenario, `step machines machines_up`)
	if err == nil || !strings.Contains(out, "machine w1 is in another swarm") || !strings.Contains(out, "take_over_swarm: true") {
		t.Errorf("a machine of another swarm: %v\n%s", err, out)
	}
	checkCalls(t, calls, nil, []string{"swarm leave", "swarm init", "swarm join", "create", "import", "load"})

	out, calls, _, err = runMachines(t, t.TempDir(), scenario, `TAKE_OVER=true
step machines machines_up`)
	if err != nil {
		t.Fatalf("take_over_swarm: %v\n%s", err, out)
	}
	checkCalls(t, calls, []string{"swarm leave --force"}, nil)

	// plan mode: the refusal is the plan
	out, _, _, err = runMachines(t, t.TempDir(), scenario, `PLAN=1
step machines machines_up
[ ! -e "$RUN_DIR/refused" ] || echo "plan ends here"`)
	if err != nil || !strings.Contains(out, "plan\t!\trefused\t-\tmachine w1 is in another swarm") || !strings.Contains(out, "plan ends here") {
		t.Errorf("plan of a refused machine: %v\n%s", err, out)
	}

	// w1 is a worker the lab's swarm knows, m1 the lab's manager
	out, calls, _, err = runMachines(t, t.TempDir(), strings.Replace(scenario, `echo nodem1`, `printf 'nodem1\nnodew1\n'`, 1)+"\n",
		`M1_STATE=active M1_ID=nodem1 M1_CLUSTER=other-cluster M1_LAB=fleet
export M1_STATE M1_ID M1_CLUSTER M1_LAB
step machines machines_up`)
	if err != nil {
		t.Fatalf("the lab's own swarm: %v\n%s", err, out)
	}
	checkCalls(t, calls, nil, []string{"swarm leave"})
}

// A machine must be named as its engine names itself: the swarm names
// nodes by hostname.
func TestMachineNamedOtherwise(t *testing.T) {
	out, _, _, err := runMachines(t, t.TempDir(), `case "$*" in
  "info --format"*) echo "ip-10-0-0-7 inactive  " ;;
esac`, `step machines machines_up`)
	if err == nil || !strings.Contains(out, "machine m1 calls itself ip-10-0-0-7") {
		t.Errorf("%v\n%s", err, out)
	}
}

// down on machines removes what the lab made and nothing else: its stacks,
// services, networks and records, then the nodes leave, workers first and
// the leader last, the docker_gwbridge a join made (w1's only), the
// registry with its volume and the image swarmgen loaded, the lab
// registry's images on each machine, the CA in certs.d; the user's own
// images stay.
func TestMachinesDown(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".swarmgen/tls/registry/server"), 0o700); err != nil {
		t.Fatal(err)
	}
	out, calls, env, err := runMachines(t, dir, `case "$*" in
  "info --format"*)
    case "$DOCKER_HOST$DOCKER_CONTEXT" in
      *192.0.2.11*) echo "m1 active nodem1 labcluster" ;;
      *w1.example*) echo "w1 active nodew1 " ;;
      *) echo "w2 active nodew2 " ;;
    esac ;;
  "node inspect --format gwbridge"*) printf 'gwbridge m1 \ngwbridge w1 made\ngwbridge w2 \n' ;;
  "node inspect --format"*) echo fleet ;;
  "node ls -q") printf 'nodem1\nnodew1\nnodew2\n' ;;
  "config ls --filter label=dev.swarmgen.stack --format stack"*) echo "stack web 0123456789abcdef" ;;
  "config ls --filter label=dev.swarmgen.stack --format config"*) echo "config swarmgen-stack-0123456789abcdef-web" ;;
  "service ls --filter"*) echo "service ping" ;;
  "network ls --filter label"*) echo "network web" ;;
  "inspect --format"*) echo "true 123 true" ;;
  "image ls --digests"*)
    echo "192.0.2.11:5000/yutsuki/echo:latest 192.0.2.11:5000/yutsuki/echo@sha256:abc"
    echo "users/own:1 users/own@<none>" ;;
  "image inspect"*) exit 1 ;;
  "ps --format"*) echo "users|users_app" ;; # a task of someone else's: not waited for
  "context ls "*) printf 'default *|unix:///var/run/docker.sock x\nswarmgen-fleet|tcp://192.0.2.11:2376 swarmgen lab\nswarmgen-other|tcp://192.0.2.99:2376 swarmgen lab\n' ;;
esac`, `WAIT=3
step down machines_down`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkCalls(t, calls, []string{
		"stack rm web\n", "service rm ping\n", "network rm web\n", "config rm swarmgen-stack-0123456789abcdef-web\n",
		"swarm leave --force\n", "network rm docker_gwbridge\n",
		"rm -f fleet-registry\n", "volume rm fleet-registry-data\n", "image rm registry:3.0.0\n",
		"image rm 192.0.2.11:5000/yutsuki/echo:latest\n", "image rm 192.0.2.11:5000/yutsuki/echo@sha256:abc\n",
		"run --rm --network none --label dev.swarmgen.lab=fleet --mount type=bind,src=/usr,dst=/usr,readonly --mount type=bind,src=/etc/docker,dst=/parent",
		"context rm --force swarmgen-fleet\n",
	}, []string{"users/own", "volume rm users", "exec ", "swarmgen-other", "rm --force default"})
	if n := strings.Count(calls, "context rm"); n != 1 {
		t.Errorf("%d contexts removed, want the lab's alone:\n%s", n, calls)
	}
	if n := strings.Count(calls, "swarm leave --force"); n != 3 {
		t.Errorf("%d machines left the swarm, want 3:\n%s", n, calls)
	}
	if n := strings.Count(calls, "network rm docker_gwbridge"); n != 1 {
		t.Errorf("docker_gwbridge removed %d times, want once (w1's join made it):\n%s", n, calls)
	}
	var leaves []string
	for _, l := range strings.Split(env, "\n") {
		if strings.HasSuffix(l, " swarm leave --force") {
			leaves = append(leaves, l)
		}
	}
	if len(leaves) != 3 || !strings.HasPrefix(leaves[2], "tcp://192.0.2.11:2376|") {
		t.Errorf("the leader m1 must leave last: %q", leaves)
	}
	if _, err := os.Stat(filepath.Join(dir, ".swarmgen/tls/registry")); err == nil {
		t.Error("the registry's certificates are still here")
	}
}

// down waits for the tasks of the stacks and services it removed, and
// only for those: a task of anyone else's is not waited for.
func TestMachinesDownWaitsForItsOwnTasks(t *testing.T) {
	const body = `printf 'stack web 0123\nservice ping\nnetwork web\n' >"$RUN_DIR/lab"
WAIT=1
wait_no_tasks && echo "no task left"`
	for _, tc := range []struct {
		tasks string
		clear bool
	}{
		{`users|users_app`, true},
		{`users|users_app\n|ping`, false}, // the standalone service ping
		{`web|web_echo`, false},           // a task of stack web
		{`|users_one\nping|ping_x`, true}, // someone's service, a stack named ping
	} {
		out, _, _, err := runMachines(t, t.TempDir(), `case "$*" in "ps --format"*) printf '`+tc.tasks+`\n' ;; esac`, body)
		if got := err == nil && strings.Contains(out, "no task left"); got != tc.clear {
			t.Errorf("tasks %q: cleared %v, want %v: %v\n%s", tc.tasks, got, tc.clear, err, out)
		}
	}
}

// The registry container on its machine: its image comes from this host
// when the machine lacks it (and the container says so, for down), its
// data is a named volume, its certificate is copied in before it starts,
// and it answers only clients with a certificate of the lab's CA
// (http.tls.clientcas); everything is labelled with the lab.
func TestMachineRegistryCreate(t *testing.T) {
	out, calls, env, err := runMachines(t, t.TempDir(), `case "$*" in
  "image inspect registry:3.0.0") case "$DOCKER_HOST" in tcp://*) exit 1 ;; esac ;; # on this host only
  create*) echo cid9 ;;
esac`, `registry_create 4242 ""`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkCalls(t, calls, []string{
		"save registry:3.0.0\n", "load\n",
		"volume create --label dev.swarmgen.lab=fleet fleet-registry-data\n",
		"create --name fleet-registry --label dev.swarmgen.lab=fleet --label dev.swarmgen.role=registry --label dev.swarmgen.hash=4242 --label dev.swarmgen.loaded=true --restart unless-stopped --publish 5000:5000 --volume fleet-registry-data:/var/lib/registry --env REGISTRY_HTTP_TLS_CERTIFICATE=/certs/cert.pem --env REGISTRY_HTTP_TLS_KEY=/certs/key.pem --env REGISTRY_HTTP_TLS_CLIENTCAS=[/certs/ca.pem] registry:3.0.0\n",
		"cp .swarmgen/tls/registry/server/. cid9:/certs\n",
		"start fleet-registry\n",
	}, []string{"exec", "pull"})
	if !strings.Contains(env, "tcp://192.0.2.11:2376|../certs/m1| start fleet-registry") || !strings.Contains(env, "unix:///users-own.sock||users-own save registry:3.0.0") {
		t.Errorf("the registry is not made on m1 from this host's image:\n%s", env)
	}
}

// The host's docker context of a lab of machines reaches the leading
// manager machine as its transport does: a tcp endpoint with its TLS files
// (absolute paths, in docker's quoted CSV), an ssh endpoint, or the
// endpoint of the machine's own context. It is left alone when it points
// there already, updated when the leader moved, listed by a plan, and
// written through the one function a lab of containers uses too.
func TestMachineDockerContext(t *testing.T) {
	// a spec directory with a space ("my lab"): no read splits a path
	base := filepath.Join(t.TempDir(), "my lab")
	dir, certs := filepath.Join(base, "out"), filepath.Join(base, "my certs", "m1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// the description is the lab's record (package endpointdef), which
	// swarmgen list and --lab read: the lab, the machine, this directory
	sum := strings.TrimPrefix(contextCert(t, certs, "cert m1"), "swarmgen lab, certificate ")
	record := func(leader string, extra ...string) string {
		return endpointdef.MachinesDescription(endpointdef.Record{Lab: "fleet", Leader: leader, Dir: dir}, extra...)
	}
	desc := record("m1", "certificate="+sum)
	tcp := "tcp://192.0.2.11:2376"
	for _, tc := range []struct {
		name, leader, contexts, plan string
		planMode                     bool
		want, never                  []string
	}{{
		name:     "tcp leader, no context yet: created with its TLS files",
		leader:   "m1",
		contexts: `printf 'default *|unix:///var/run/docker.sock x\n'`,
		want: []string{"context create swarmgen-fleet --description " + desc +
			` --docker "host=tcp://192.0.2.11:2376","ca=` + certs + `/ca.pem","cert=` + certs + `/cert.pem","key=` + certs + `/key.pem"` + "\n"},
		never: []string{"context update"},
	}, {
		name:     "unchanged: no call that writes",
		leader:   "m1",
		contexts: `printf 'default *|unix:///var/run/docker.sock x\nswarmgen-fleet|` + tcp + ` ` + desc + `\n'`,
		never:    []string{"context create", "context update", "context rm"},
	}, {
		name:     "unchanged, plan: no line",
		leader:   "m1",
		planMode: true,
		contexts: `printf 'swarmgen-fleet|` + tcp + ` ` + desc + `\n'`,
		never:    []string{"context create", "context update", "context rm"},
	}, {
		name:     "the leader moved (it was w1): updated",
		leader:   "m1",
		contexts: `printf '%s\n' 'swarmgen-fleet|ssh://admin@w1.example ` + record("w1") + `'`,
		want:     []string{"context update swarmgen-fleet --description " + desc + ` --docker "host=tcp://192.0.2.11:2376","ca=` + certs + "/ca.pem\","},
		never:    []string{"context create"},
	}, {
		name:     "another certificate: updated",
		leader:   "m1",
		contexts: `printf '%s\n' 'swarmgen-fleet|` + tcp + ` ` + record("m1", "certificate=1") + `'`,
		want:     []string{"context update swarmgen-fleet "},
	}, {
		name:     "a record of an older swarmgen (no lab, no directory): updated",
		leader:   "m1",
		contexts: `printf 'swarmgen-fleet|` + tcp + ` swarmgen lab, certificate ` + sum + `\n'`,
		want:     []string{"context update swarmgen-fleet --description " + desc + " "},
	}, {
		name:     "the files moved: updated",
		leader:   "m1",
		contexts: `printf '%s\n' 'swarmgen-fleet|` + tcp + ` ` + strings.Replace(desc, "files="+dir, "files=/elsewhere", 1) + `'`,
		want:     []string{"context update swarmgen-fleet --description " + desc + " "},
	}, {
		name:     "plan, none yet: a + line",
		leader:   "m1",
		planMode: true,
		contexts: `true`,
		plan:     "plan\t+\tcontext\tswarmgen-fleet\ttcp://192.0.2.11:2376 -> m1\n",
		never:    []string{"context create", "context update"},
	}, {
		name:     "plan, the leader moved: a ~ line",
		leader:   "w1",
		planMode: true,
		contexts: `printf 'swarmgen-fleet|` + tcp + ` ` + desc + `\n'`,
		plan:     "plan\t~\tcontext\tswarmgen-fleet\ttcp://192.0.2.11:2376 -> ssh://admin@w1.example (w1)\n",
		never:    []string{"context create", "context update"},
	}, {
		name:     "ssh leader: its endpoint, no TLS",
		leader:   "w1",
		contexts: `true`,
		want:     []string{`context create swarmgen-fleet --description ` + record("w1") + ` --docker "host=ssh://admin@w1.example"` + "\n"},
	}, {
		name:     "context leader: its context's endpoint",
		leader:   "w2",
		contexts: `true`,
		want: []string{"context inspect --format {{.Endpoints.docker.Host}} lab-w2\n",
			`context create swarmgen-fleet --description ` + record("w2", "from=lab-w2") + ` --docker "from=lab-w2"` + "\n"},
	}, {
		name:     "context leader, unchanged",
		leader:   "w2",
		contexts: `printf '%s\n' 'swarmgen-fleet|tcp://192.0.2.13:2376 ` + record("w2", "from=lab-w2") + `'`,
		never:    []string{"context create", "context update"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$*" in
  "context ls "*) ` + tc.contexts + ` ;;
  "context inspect --format"*" lab-w2") echo tcp://192.0.2.13:2376 ;;
esac`
			// m1's certificates (MACHINE_ENV's 5th word) in a directory with a space
			body := "MACHINE_ENV[4]='DOCKER_CERT_PATH=../my certs/m1'\nLEADER=" + tc.leader + "\nPLAN=" + map[bool]string{false: "0", true: "1"}[tc.planMode] + "\nstep docker-context docker_context\n"
			out, calls, env, err := runMachines(t, dir, scenario, body)
			if err != nil {
				t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
			}
			checkCalls(t, calls, tc.want, tc.never)
			var planLines []string
			for _, l := range strings.SplitAfter(out, "\n") {
				if strings.HasPrefix(l, "plan\t") {
					planLines = append(planLines, l)
				}
			}
			if got := strings.Join(planLines, ""); got != tc.plan {
				t.Errorf("plan lines %q, want %q", got, tc.plan)
			}
			// the context is the host's: no call reaches it through a machine
			for _, l := range strings.Split(env, "\n") {
				if strings.Contains(l, " context ") && !strings.HasPrefix(l, "unix:///users-own.sock|") {
					t.Errorf("a context call with a machine's environment: %q", l)
				}
			}
		})
	}
}

// A registry made before it asked for client certificates (its hash label
// is its certificate's checksum alone) is made again by up, with
// http.tls.clientcas; one made since (checksum-clientcas) is left alone.
func TestMachineRegistryAsksClientCertificates(t *testing.T) {
	for suffix, want := range map[string]string{
		"":           "plan\t~\tregistry\tfleet-registry\ton machine m1: create it again (true, certificate HASH -> HASH-clientcas)\n",
		"-clientcas": "",
	} {
		dir := t.TempDir()
		tls := filepath.Join(dir, ".swarmgen/tls/registry")
		for name, content := range map[string]string{"server/ca.pem": "CA", "server/cert.pem": "CERT", "server/key.pem": "KEY",
			"client/cert.pem": "CLIENT", "client/key.pem": "CLIENT key", "sans": "IP:192.0.2.11"} {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(tls, name)), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tls, name), []byte(content+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		out, _, _, err := runMachines(t, dir, `case "$*" in
  "inspect --format "*" fleet-registry") echo "true $HASH " ;;
esac`, `h=$(cksum <"$TLS_DIR/server/cert.pem" | awk '{ print $1 }')
HASH=$h`+suffix+` PLAN=1 registry_up 3>&1 | awk -F '\t' '$1 == "plan" && $3 == "registry"' | sed "s/$h/HASH/g"`)
		if err != nil {
			t.Fatalf("%q: %v\n%s", suffix, err, out)
		}
		if out != want {
			t.Errorf("registry labelled with hash HASH%s: plan %q, want %q", suffix, out, want)
		}
	}
}

// A manager's read of the swarm (read_swarm, the same for both providers)
// takes the manager's state line from its own row of the node list, with
// no docker info (a CLI start costs much of an unchanged lab's plan); an
// engine that lists no nodes is asked docker info, and only a manager
// among those (a swarm with no leader: a cluster ID) reads as incomplete.
func TestSwarmReadState(t *testing.T) {
	const reads = `
  "node inspect --format"*) echo "m1 zone=a" ;;
  "network ls"*) echo "network web true" ;;
  "config ls"*) ;;
  "service ls"*) ;;
  "secret ls"*) ;;
esac`
	for _, tc := range []struct{ name, nodeLs, info, want, not string }{
		{"a manager that lists the nodes", `printf 'node idm1 m1 Ready Leader\nnoderow idm1 *\tm1\tReady\nnode idw1 w1 Ready \nnoderow idw1\tw1\tReady\n'`, "",
			"state m1 active idm1\nfrom m1\nnode idm1 m1 Ready Leader", "incomplete"},
		{"a manager with no leader", `echo "Error response from daemon: rpc error: The swarm does not have a leader." >&2; exit 1`, "active idm1 cluster1",
			"state m1 active idm1 cluster1\nincomplete", "from m1"},
		{"a node list that does not name the engine", `true`, "inactive  ",
			"state m1 inactive  \nfrom m1", "incomplete"},
		{"a worker", `echo "Error response from daemon: This node is not a swarm manager." >&2; exit 1`, "active idm1 ",
			"state m1 active idm1 \nfrom m1", "incomplete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$*" in
  "node ls --format"*) ` + tc.nodeLs + ` ;;
  "info --format"*) echo "state m1 ` + tc.info + `" ;;` + reads
			out, calls, _, err := runMachines(t, t.TempDir(), scenario, `read_swarm m1`)
			if err != nil && tc.info == "" {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, tc.want) || strings.Contains(out, tc.not) {
				t.Errorf("the read:\n%s\nwant %q, and no %q", out, tc.want, tc.not)
			}
			if asked := strings.Contains(calls, "info --format"); asked != (tc.info != "") {
				t.Errorf("docker info asked: %v; calls:\n%s", asked, calls)
			}
		})
	}
}

// A swarm made with routing_mesh: false goes without its ingress network
// (every joining node would build its sandbox for nothing), removed in the
// init's batch as soon as the new leader has made it; a removal refused
// for another reason is a warning, and a failed init removes nothing.
func TestInitWithoutIngress(t *testing.T) {
	for _, tc := range []struct {
		name, mesh, init, rm string
		rms                  int
		warn                 string
		fails                bool
	}{
		{name: "made on the third ask", mesh: "false", rms: 3,
			rm: `n=$(($(cat "$STUB_DIR/rms" 2>/dev/null || echo 0) + 1)); echo "$n" >"$STUB_DIR/rms"
    [ "$n" -ge 3 ] || { echo "Error: No such network: ingress" >&2; exit 1; }`},
		{name: "never made", mesh: "false", rms: 30, rm: `echo "Error: No such network: ingress" >&2; exit 1`},
		{name: "refused", mesh: "false", rms: 1, warn: "ingress network cannot be removed because service web depends on it",
			rm: `echo "Error response from daemon: rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service web depends on it" >&2; exit 1`},
		{name: "a failed init", mesh: "false", rms: 0, fails: true, init: `echo "Error response from daemon: could not choose an IP address" >&2; exit 1`},
		{name: "with the routing mesh", mesh: "true", rms: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := `case "$*" in
  "swarm init --advertise-addr 192.0.2.11") ` + tc.init + ` ;;
  "network rm ingress")
    # the CLI asks before it removes ingress: no answer is a no
    read -r yes && [ "$yes" = y ] || { echo "stdin: '$yes'" >&2; exit 1; }
    ` + tc.rm + ` ;;
esac`
			out, calls, _, err := runMachines(t, t.TempDir(), scenario, `ROUTING_MESH=`+tc.mesh+` LEADER=m1 LEADER_ADDR=192.0.2.11
init_swarm`)
			if (err != nil) != tc.fails {
				t.Fatalf("error %v, want failure %v\n%s", err, tc.fails, out)
			}
			if n := strings.Count(calls, "network rm ingress"); n != tc.rms {
				t.Errorf("%d removals of ingress, want %d; calls:\n%s", n, tc.rms, calls)
			}
			if n := strings.Count(calls, "swarm init"); n != 1 {
				t.Errorf("%d swarm inits, want 1; calls:\n%s", n, calls)
			}
			if strings.Contains(out, "stdin:") {
				t.Errorf("the removal was not confirmed:\n%s", out)
			}
			if got := strings.Contains(out, "warning: the ingress network stays"); got != (tc.warn != "") || !strings.Contains(out, tc.warn) {
				t.Errorf("output:\n%s\nwant a warning with %q", out, tc.warn)
			}
		})
	}
}
