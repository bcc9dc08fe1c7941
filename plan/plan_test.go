package plan_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
	"github.com/swarmgen/swarmgen/generator/goldenfile"
	"github.com/swarmgen/swarmgen/internal/stubdocker"
	"github.com/swarmgen/swarmgen/plan"
	"github.com/swarmgen/swarmgen/runner"
)

const labSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
routing_mesh: false # the plan does not depend on this machine's kernel
docker_endpoint: false # its steps have their own cases (golden/endpoint_steps_test.go)
managers: 3
workers:
  - name: worker01
    labels: {zone: a}
  - name: worker02
images:
  - source: yutsuki/echo:latest
  - build: ./testdata/app
    name: app:1
networks:
  - name: ch03
stacks:
  - name: web
    services:
      api:
        image: registry:5000/yutsuki/echo:latest
        networks: [ch03]
    networks:
      ch03: {external: true}
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
`

// fakeLab is the running lab as docker and curl answer for it, from
// variables a case sets (an in-sync lab by default: see inSync). Every
// command that would change the lab is an error: a plan changes nothing.
const fakeLab = `
listed() { printf '%s\n' "$NODES" | awk -v n="$1" '$1 == n { found = 1 } END { exit !found }'; }
case "$CMD $*" in
  "docker compose version" | "docker info" | "docker compose -f docker-compose.yml version") ;;
  "docker ps --format {{.Names}} {{.Ports}}") ;;
  "docker ps -a --filter label=com.docker.compose.project="*" --format {{.Names}} {{.ID}} {{.State}} {{.Ports}}") for c in $CONTAINERS; do echo "$c id-$c ${STATE:-running} "; done ;;
  "docker ps -a --format {{.Names}}") for c in $CONTAINERS; do echo "$c"; done ;;
  "docker exec "*" docker info --format {{.Swarm.LocalNodeState}}")
    [ "${STATE:-running}" = running ] || exit 1
    if listed "$2"; then echo active; else echo inactive; fi ;;
  "docker exec "*" docker info --format {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} "*)
    if listed "$2"; then echo "active id-$2 C"; else echo "inactive  "; fi ;;
  "docker exec "*" sh -c "*"t=\$(mktemp -d)"*) # the swarm read (read_swarm)
    [ "${STATE:-running}" = running ] || exit 1
    echo "from $2"
    if ! listed "$2"; then echo "state $2 inactive  "; exit 0; fi
    echo "state $2 active id-$2 C"
    printf '%s\n' "$NODES" | awk 'NF { print "node id-" $1, $1, $2, $3 }'
    printf '%s\n' "$LABELS" | awk 'NF { print "label " $0 }'
    for n in $NETWORKS; do case "$CREATED" in *"network $n"*) echo "network $n true" ;; *) echo "network $n " ;; esac; done
    printf '%s\n' "$DEPLOYED" | awk '$1 == "deployed" { print "stack " $2; next } NF { print "record " $0 }'
    printf '%s\n' "$SERVICES" | awk 'NF { print "service " $1 " 1/1"; print "hash " $0 }' ;;
  "docker image inspect --format {{range .RepoDigests}}{{println .}}{{end}} "*)
    for ref in $PUSHED; do echo "localhost:5000/${ref%:*}@sha256:in-registry"; done ;;
  "docker image inspect --format {{index .Config.Labels \"dev.swarmgen.context\"}} localhost:5000/app:1")
    [ -n "$LAST_BUILD_ID" ] || exit 1
    if [ "$BUILD_ID" = "$LAST_BUILD_ID" ]; then echo "$CONTEXT"; else echo older; fi ;;
  "curl -fsSI "*)
    url=${*: -1}; ref=${url#*/v2/}; ref=${ref/\/manifests\//:}
    case " $PUSHED " in *" $ref "*) printf 'HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:in-registry\r\n' ;; *) exit 22 ;; esac ;;
  *) echo "fake lab: not a read, or not known: $CMD $*" >&2; exit 1 ;;
esac`

// inSync is what the lab looks like once up has applied the spec.
func inSync(stackHash, serviceHash string) map[string]string {
	return map[string]string{
		"CONTAINERS":    "manager01 manager02 manager03 worker01 worker02",
		"NODES":         "manager01 Ready Leader\nmanager02 Ready Reachable\nmanager03 Ready Reachable\nworker01 Ready \nworker02 Ready ",
		"LABELS":        "worker01 zone=a\nworker01 dev.swarmgen.labels=zone",
		"NETWORKS":      "ch03 ingress",
		"DEPLOYED":      "deployed web\nweb " + stackHash,
		"SERVICES":      "echo " + serviceHash,
		"CREATED":       "stack web\nservice echo\nnetwork ch03",
		"PUSHED":        "yutsuki/echo:latest app:1",
		"BUILD_ID":      "sha256:built",
		"LAST_BUILD_ID": "sha256:built",
	}
}

// The plan cases: the running lab as the fake engine shows it (in sync,
// then changed by each case), bootstrap.sh --plan run for real against
// it, and the plan printed, as testdata/<case>.txt holds it.
func TestPlanGolden(t *testing.T) {
	res, err := generator.GenerateBytes(generator.Options{SpecPath: "swarm.yaml", OutDir: "."}, []byte(labSpec))
	if err != nil {
		t.Fatal(err)
	}
	var script []byte
	for _, f := range res.Files {
		if f.Path == "bootstrap.sh" {
			script = f.Data
		}
	}
	stackHash, serviceHash := res.Lab.Stacks[0].Hash, res.Lab.Services[0].Hash
	// the checksum of testdata/app, as the script makes it: app:1 was
	// built from it unless a case says otherwise
	helpers := string(script)[:strings.Index(string(script), "\nstart_read\n")]
	digest := exec.Command("bash", "-c", helpers+"\ncontext_digest ./testdata/app Dockerfile")
	digest.Env = append(os.Environ(), "SWARMGEN_LAB_DIR=.")
	sum, err := digest.Output()
	if err != nil || len(sum) == 0 {
		t.Fatalf("context_digest: %v %s", err, sum)
	}
	node := func(lines ...string) string { return inSync("", "")["NODES"] + "\n" + strings.Join(lines, "\n") }
	cases := map[string]map[string]string{
		"not-running":  {"CONTAINERS": "", "NODES": "", "PUSHED": "", "LAST_BUILD_ID": ""},
		"in-sync":      {},
		"node-added":   {"NODES": strings.TrimSuffix(inSync("", "")["NODES"], "\nworker02 Ready "), "CONTAINERS": "manager01 manager02 manager03 worker01"},
		"node-removed": {"NODES": node("worker03 Ready "), "CONTAINERS": "manager01 manager02 manager03 worker01 worker02 worker03"},
		// two of the three managers left can still elect
		"manager-removed": {"NODES": strings.Replace(node("manager04 Ready Reachable"), "manager02 Ready", "manager02 Down", 1)},
		"manager-removed-quorum-lost": {"NODES": strings.NewReplacer("manager02 Ready Reachable", "manager02 Down Unreachable", "manager03 Ready Reachable", "manager03 Down Unreachable").
			Replace(node("manager04 Ready Reachable", "manager05 Ready Reachable"))},
		"labels": {"LABELS": "worker01 zone=b\nworker02 zone=c"},
		// disk was set by swarmgen, owner by hand: only disk goes
		"label-removed":   {"LABELS": "worker01 zone=a\nworker01 dev.swarmgen.labels=zone\nworker02 disk=ssd\nworker02 owner=me\nworker02 dev.swarmgen.labels=disk"},
		"image-changed":   {"PUSHED": ""},
		"image-rebuilt":   {"BUILD_ID": "sha256:new"},
		"network-changes": {"NETWORKS": "ingress old", "CREATED": "stack web\nservice echo\nnetwork old"},
		// a network made by hand with the spec's name is there: nothing to add
		"network-by-hand": {"NETWORKS": "ch03 ingress", "CREATED": "stack web\nservice echo"},
		"stack-changes":   {"DEPLOYED": "deployed web\ndeployed gone\nweb 0000\ngone 1111", "CREATED": "stack web\nstack gone\nservice echo\nnetwork ch03"},
		"service-changes": {"SERVICES": "echo 0000\ngone 1111", "CREATED": "stack web\nservice echo\nservice gone\nnetwork ch03"},
		"stopped":         {"STATE": "exited"},
	}
	for name, changed := range cases {
		t.Run(name, func(t *testing.T) {
			var vars strings.Builder
			for k, v := range inSync(stackHash, serviceHash) {
				if c, ok := changed[k]; ok {
					v = c
				}
				vars.WriteString(k + "=" + shellQuote(v) + "\n")
			}
			vars.WriteString("CONTEXT=" + shellQuote(strings.TrimSpace(string(sum))) + "\n")
			if s, ok := changed["STATE"]; ok {
				vars.WriteString("STATE=" + s + "\n")
			}
			stub := stubdocker.New(t, vars.String()+fakeLab, "curl")
			stub.Use(t)
			p, err := runner.Plan(context.Background(), ".", script)
			if err != nil {
				t.Fatalf("%v\ncalls:\n%s", err, stub.Calls())
			}
			var buf bytes.Buffer
			p.Print(&buf, false)
			goldenfile.Check(t, filepath.Join("testdata", name+".txt"), buf.Bytes())
			calls := stub.Calls()
			for _, change := range []string{"compose -f docker-compose.yml up", "swarm init", "swarm join ", "swarm leave", "node update",
				"node demote", "node rm", "docker push", " push ", "network create", "network rm", "stack deploy", "stack rm",
				"service create", "service rm", "volume rm", " tag "} {
				if strings.Contains(calls, change) {
					t.Errorf("a plan ran %q; calls:\n%s", change, calls)
				}
			}
			if name == "in-sync" || name == "network-by-hand" {
				if !p.Empty() || len(p.Refusals) > 0 {
					t.Errorf("plan of a lab in sync: %+v", p)
				}
			}
		})
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestParse(t *testing.T) {
	p, err := plan.Parse("==> nodes-up\nplan\t+\tnode\tworker04\tworker at 10.0.0.4\nsome output\nplan\t!\trefused\t-\twhy not\nplan\t-\tstack\tgone\t\n")
	if err != nil {
		t.Fatal(err)
	}
	want := plan.Plan{
		Actions:  []plan.Action{{Op: '+', Kind: "node", Name: "worker04", Detail: "worker at 10.0.0.4"}, {Op: '-', Kind: "stack", Name: "gone"}},
		Refusals: []string{"why not"},
	}
	if len(p.Actions) != 2 || p.Actions[0] != want.Actions[0] || p.Actions[1] != want.Actions[1] || len(p.Refusals) != 1 || p.Refusals[0] != "why not" {
		t.Errorf("Parse = %+v, want %+v", p, want)
	}
	for _, bad := range []string{"plan\t?\tnode\tx\t", "plan\t+\tnode\tx"} {
		if _, err := plan.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a line it cannot read", bad)
		}
	}
}

func TestPrintColours(t *testing.T) {
	var buf bytes.Buffer
	plan.Plan{Actions: []plan.Action{{Op: '+', Kind: "node", Name: "worker02", Detail: "worker"}}}.Print(&buf, true)
	if !strings.Contains(buf.String(), "\033[32m  + node worker02") {
		t.Errorf("no green add line:\n%q", buf.String())
	}
}

// A plan that is only a refusal (a machine in another swarm) does not
// also say that the lab matches the spec.
func TestRefusalOnlyIsNotNoChanges(t *testing.T) {
	var b strings.Builder
	plan.Plan{Refusals: []string{"machine w1 is in another swarm"}}.Print(&b, false)
	if strings.Contains(b.String(), "No changes") || !strings.Contains(b.String(), "refused: machine w1") {
		t.Errorf("got:\n%s", b.String())
	}
	b.Reset()
	plan.Plan{}.Print(&b, false)
	if !strings.Contains(b.String(), "No changes") {
		t.Errorf("an empty plan: %q", b.String())
	}
}
