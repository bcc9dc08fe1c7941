// Package fakelab is a running lab as the generated bootstrap.sh sees it
// through docker and curl: a stub docker scenario (internal/stubdocker)
// that answers the script's reads from variables describing what the
// engines hold, and the lab as up leaves it (Script.Up: its directory and
// those variables). The golden reconcile cases and the plan goldens run the
// script against this one fake: when the script reads differently, only
// this file changes.
package fakelab

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/generator/shell"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// answers is the fake lab. It answers from these variables (each a list,
// one item a line or a word):
//
//	P, PROJECT   container prefix, compose project
//	CONTAINERS   the project's containers (ps -a); docker exec in any other
//	             fails (no such container)
//	STOPPED      containers that are exited until a compose up starts them:
//	             ps -a says so and docker exec
//	             in them fails (not running)
//	MANAGERS     the manager containers, in the spec's order
//	NODES        the swarm's nodes, "NAME STATUS MANAGERSTATUS", as the leader
//	             lists them (the Leader's line names the manager that leads)
//	INACTIVE     containers whose engine is in no swarm, listed or not,
//	             until they init or join one (a new swarm: NODES is the
//	             list once init ran)
//	LABELS       "NODE KEY=VALUE" of every node
//	OVERLAYS     overlay networks; LABELLED: those the lab made
//	STACKS       "NAME HASH" of the deployed stacks, HASH - for one that has
//	             no record (deployed by hand)
//	SERVICES     "NAME HASH" of the standalone services the lab made
//	REGISTRY     "REPOSITORY:TAG DIGEST" the lab registry holds
//	PUSHED       "REF DIGEST" of the host's images, as last pushed (and
//	             tagged REF for it)
//	CONTEXTS     "REF DIGEST" of the images built from a context, as the
//	             script checksums the context (context_digest); the host
//	             has no image of a ref to build that is in neither this
//	             nor REBUILT
//	REBUILT      refs whose build context changed since they were built
//	             (a build gives them an image no registry has: no digests)
//	MIRRORS      the Docker Hub images the lab mirrors (MIRROR's refs)
//	HUB          those of them the host holds (the others: no such image)
//	VOLUMES      the lab's volumes
//	CONTEXT      converged: the docker context names the leader and the
//	             current certificate; anything else: there is none
//	API_CONTEXT  the name of the lab's docker context
//	SPECS        "NAME<TAB>MODE<TAB>IMAGE<TAB>PORTS<TAB>ENV<TAB>LABELS" of every
//	             service as it runs (converged: as the header's DESIRED has it)
//	OLD          "CONTAINER HASH IMAGE" of the containers made from another
//	             definition than the lab's compose file's (their config
//	             hash, the image they run); every other container was made
//	             from the lab's docker-compose.yml. Compose's hash of a
//	             service is a checksum of its lines in the file compose
//	             reads (-f), so a plan that hands the script a changed
//	             compose file sees the services it changes
//
// The lab's directory holds what up left there (see Script.Up), with the
// record of the containers compose up left (nodes-up skips compose up
// while they are the same).
//
// Anything the script asks that is not in the list is an error, so a case
// cannot pass on a read it did not expect.
const answers = `
L=$P$(printf '%s\n' "$NODES" | awk '$3 == "Leader" { print $1 }')
listed() { printf '%s\n' "$NODES" | awk -v n="${1#"$P"}" -v m="$2" '$1 == n && (m == "" || $3 != "") { f = 1 } END { exit !f }'; }
has() { case " $(printf '%s ' $1) " in *" $2 "*) ;; *) return 1 ;; esac; } # has LIST WORD
stopped() { has "$STOPPED" "$1" && [ ! -e "$STUB_DIR/compose-up" ]; } # until a compose up starts it
in_swarm() { [ -e "$STUB_DIR/in-$1" ] || { ! has "$INACTIVE" "$1" && listed "$1"; }; }
service_lines() { awk -v s="  $2:" -v q="  \"$2\":" '$0 == s || $0 == q { on = 1; next } on && /^  ?[^ ]/ { exit } on' "$1" 2>/dev/null; } # FILE SERVICE
config_hash() { echo "h-$(service_lines "$1" "$2" | cksum | awk '{ print $1 }')"; } # FILE SERVICE, as compose config --hash
service_image() { service_lines "$1" "$2" | awk '/^    image: / { gsub(/"/, "", $2); print $2; exit }'; } # FILE SERVICE
repo_digests() { printf '%s\n' "$PUSHED" | awk 'NF { sub(/:[^:\/]*$/, "", $1); print $1 "@sha256:" $2 }'; } # every image's, as pushed
context_of() { printf '%s\n' "$CONTEXTS" | awk -v r="$1" '$1 == r { print $2; f = 1 } END { exit !f }'; } # REF: the context it was built from
pushed_ref() { printf '%s\n' "$PUSHED" | awk -v r="$1" '$1 == r { f = 1 } END { exit !f }'; } # REF: tagged and pushed
swarm_read() { # NODE SCRIPT: the swarm read (read_script) of manager NODE
  echo "from $1"
  if ! in_swarm "$1"; then echo "state $1 inactive  "; return 0; fi
  # a manager that lists no nodes is asked docker info (a cluster ID);
  # one that does, gives its state from its own node row
  listed "$1" manager || { echo "state $1 active id-${1#"$P"} C"; return 0; }
  echo "state $1 active id-${1#"$P"}"
  printf '%s\n' "$NODES" | awk 'NF { print "node id-" $0 }' | awk '{ $2 = $2 " " substr($2, 4) } 1'
  printf '%s\n' "$LABELS" | awk 'NF { print "label " $0 }'
  for n in $OVERLAYS; do if has "$LABELLED" "$n"; then echo "network $n true"; else echo "network $n "; fi; done
  printf '%s\n' "$STACKS" | awk 'NF { print "stack " $1 }'
  # the stacks' records are swarm configs: any manager lists them
  case "$2" in
    *"docker config ls --filter label=dev.swarmgen.stack --format \"record "*) printf '%s\n' "$STACKS" | awk 'NF && $2 != "-" { print "record " $0 }' ;;
  esac
  printf '%s\n' "$SERVICES" | awk 'NF { print "service " $1 " 1/1"; print "hash " $0 }'
  printf '%s\n' "$SPECS" | awk 'NF { print "spec " $0 }'
  printf '%s\n' "$NODES" | awk 'NF { printf "noderow id-%s\t%s\t%s\tActive\t%s\t20.10.24\n", $1, $1, $2, $3 }'
  printf '%s\n' "$SERVICES" | awk 'NF { printf "servicerow s-%s\t%s\treplicated\t1/1\timage\t\n", $1, $1 }'
}
records() { # the project's containers as docker ps -a's container-record
  for c in $CONTAINERS; do # the Nth manager publishes its TLS port on 32770+N
    ! stopped "$c" || { echo "$c id-$c exited " && continue; }
    port=$(printf '%s\n' $MANAGERS | awk -v c="$c" '$1 == c { print "127.0.0.1:" 32770 + NR "->2376/tcp" }')
    # one of OLD: the record nodes-up kept differs (as the compose file's
    # checksum would after a change to it)
    id=id-$c; ! printf '%s\n' "$OLD" | awk -v c="$c" '$1 == c { f = 1 } END { exit !f }' || id=old-$c
    echo "$c $id running $port"
  done
}
case "$CMD $*" in
  # --- the host ---
  "uname -s") echo Darwin ;; # has_ipvs: a kernel with IPVS
  "ss "*) ;;                  # no host port in use
  "docker compose -f "*" config --hash *") # the file is $3
    for c in $CONTAINERS; do echo "${c#"$P"} $(config_hash "$3" "${c#"$P"}")"; done ;;
  "docker compose "*" up -d"*) touch "$STUB_DIR/compose-up" ;;
  "docker compose "*) ;;
  "docker ps -a --format {{or (.Label \"com.docker.compose.project\") \"-\"}} "*) # the host check: every container
    records | sed "s/^/$PROJECT /"; echo "- other 0123abcd running 0.0.0.0:61234->80/tcp" ;;
  "docker ps -a --filter label=com.docker.compose.project=$PROJECT --format have "*)
    for c in $CONTAINERS; do
      o=$(printf '%s\n' "$OLD" | awk -v c="$c" '$1 == c { print $2, $3 }')
      [ -n "$o" ] || o="$(config_hash docker-compose.yml "${c#"$P"}") $(service_image docker-compose.yml "${c#"$P"}")"
      echo "have $c ${c#"$P"} $o"
    done ;;
  "docker ps -a --filter label=com.docker.compose.project=$PROJECT --format {{.Names}} {{.ID}} {{.State}} {{.Ports}}") records ;;
  "docker ps -a --format {{.Names}}") printf '%s\n' $CONTAINERS ;;
  "docker context ls "*)
    echo "default *|unix:///var/run/docker.sock Current DOCKER_HOST based configuration"
    [ "$CONTEXT" != converged ] || echo "$API_CONTEXT|tcp://127.0.0.1:32771 swarmgen lab, certificate $(cksum <.swarmgen/tls/client/cert.pem | awk '{ print $1 }')" ;;
  "docker volume ls -q --filter label=dev.swarmgen.lab=$PROJECT") printf '%s\n' $VOLUMES ;;
  # --- the nodes' engines: only in a running container ---
  "docker exec "*)
    c=$2; [ "$c" != -e ] || c=$4
    has "$CONTAINERS" "$c" || { echo "Error response from daemon: No such container: $c" >&2; exit 1; }
    ! stopped "$c" || { echo "Error response from daemon: container $c is not running" >&2; exit 1; } ;;&
  "docker exec "*" sh -c i=0; until [ -S \"\$3\" ] && s=\$(docker info "*) # wait_engine: it answers, with its membership
    if in_swarm "$2"; then echo "state $2 active id-${2#"$P"} C"; else echo "state $2 inactive  "; fi ;;
  "docker exec "*" docker info --format {{.Swarm.LocalNodeState}}") if in_swarm "$2"; then echo active; else echo inactive; fi ;;
  "docker exec "*" docker info --format {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} "*) if in_swarm "$2"; then echo "active id-${2#"$P"} C"; else echo "inactive  "; fi ;;
  "docker exec $L sh -c "*"--- read"*) # wait-converged, after a change: converged, then the read
    printf '%s\n' "$NODES" | awk 'NF { print "node " $1 " " $2 }'
    printf '%s\n' "$SERVICES" | awk 'NF { print "service " $1 " 1/1" }'
    echo "--- read"
    swarm_read "$L" "$*" ;;
  "docker exec "*" sh -c "*"t=\$(mktemp -d)"*) swarm_read "$2" "$*" ;; # the swarm read (read_swarm) of a manager
  "docker exec $L docker swarm join-token -q "*) echo "SWMTKN-1-secret-${*: -1}" ;;
  "docker exec $L sh -c "*"docker swarm join-token -q manager && docker swarm join-token -q worker &&"*) # swarm-join
    printf 'SWMTKN-1-secret-manager\nSWMTKN-1-secret-worker\n'
    if in_swarm "$L"; then echo "active id-${L#"$P"} C"; else echo "inactive  "; fi ;;
  "docker exec $L docker node inspect --format {{.Status.State}} "*) echo down ;;
  "docker exec "*" docker node inspect --format {{.ID}} {{.Status.State}} {{.Spec.Availability}} "*) # a node rolled out
    n=${*: -1}; n=${n#id-} d=$STUB_DIR/demoted-id-$n gone=
    # a demoted manager leaves the raft at the third read after its demote
    if [ -e "$d" ]; then echo x >>"$d"; [ "$(wc -l <"$d")" -lt 3 ] || gone=1; fi
    printf '%s\n' "$NODES" | awk -v n="$n" -v gone="$gone" '$1 == n { r = ($3 == "" || gone ? "" : "reachable"); print "id-" n, tolower($2), "active", r }' ;;
  "docker exec "*" docker node ls --format {{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}") printf '%s\n' "$NODES" | awk 'NF { print "id-" $1, $0 }' ;;
  "docker exec "*" docker node ls -q") printf '%s\n' "$NODES" | awk 'NF { print "id-" $1 }' ;;
  "docker exec "*" docker node ps --filter desired-state=running -q "*) ;; # drained at once
  "docker exec $L docker node ps --filter desired-state=running -q "*) ;; # drained at once
  # --- images ---
  "curl -fsS -o /dev/null http://localhost:5000/v2/") ;;
  "curl -fsS -o /dev/null -I "*) # registry_has: a mirror image's manifest
    url=${*: -1} ref=${url#*/v2/} ref=${ref/\/manifests\//:}
    printf '%s\n' "$REGISTRY" | awk -v r="$ref" '$1 == r { f = 1 } END { exit !f }' || exit 22 ;;
  "curl -fsSI "*)
    url=${*: -1} ref=${url#*/v2/} ref=${ref/\/manifests\//:}
    d=$(printf '%s\n' "$REGISTRY" | awk -v r="$ref" '$1 == r { print $2 }')
    [ -n "$d" ] || exit 22
    printf 'HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:%s\r\n' "$d" ;;
  "docker image inspect --format {{range .RepoDigests}}{{println .}}{{end}} "*)
    [ ! -e "$STUB_DIR/built" ] || ! has "$REBUILT" "${*: -1}" || exit 0
    repo_digests ;;
  "docker image inspect --format {{.Id}}|"*) # image_facts: a line an image asked, in order; none for a missing one (exit 1)
    shift 5; rc=0
    d=$(repo_digests | tr '\n' ' ')
    for n in "$@"; do
      if [ "$n" = swarmgen/swarmgen:devel ]; then echo "` + baseID + `||"
      elif has "$REBUILT" "$n"; then echo "sha256:old|older|$d"
      elif c=$(context_of "$n"); then echo "sha256:old|$c|$d"
      elif has "$MIRRORS" "$n" && ! has "$HUB" "$n"; then echo "Error: No such image: $n" >&2; rc=1
      elif has "$MIRRORS" "$n"; then echo "sha256:hub||$d"
      elif pushed_ref "$n"; then echo "sha256:src||$d"
      elif [ "${n#localhost:}" != "$n" ]; then echo "Error: No such image: $n" >&2; rc=1 # a ref never built or tagged
      else echo "sha256:src||$d"; fi # a host image the spec names
    done
    exit "$rc" ;;
  "docker image inspect --format {{index .Config.Labels \"dev.swarmgen.context\"}} "*)
    ! has "$REBUILT" "${*: -1}" || { echo older; exit 0; }
    d=$(context_of "${*: -1}") || { echo "Error: No such image: ${*: -1}" >&2; exit 1; }
    echo "$d" ;;
  # the builtin images' base: there
  "docker image inspect --format {{.Id}} -- swarmgen/swarmgen:devel") echo ` + baseID + ` ;;
  # a host image and its push tag: the same image once pushed (tagged then)
  "docker image inspect --format {{.Id}} -- "*" "*)
    echo sha256:src
    pushed_ref "${*: -1}" || { echo "Error: No such image: ${*: -1}" >&2; exit 1; }
    echo sha256:src ;;
  # a rebuilt ref's image: the one built before, then this run's build
  "docker image inspect --format {{.Id}} -- "*)
    if [ -e "$STUB_DIR/built" ]; then echo sha256:new; else echo sha256:old; fi ;;
  "docker image inspect --format {{len .RepoTags}} -- sha256:old") echo 0 ;; # the rebuild took its tag
  # --- changes: done (the test reads them in the calls) ---
  "docker exec "*" docker swarm init "* | "docker exec "*" sh -c "*"docker swarm init "*) touch "$STUB_DIR/in-$2" ;; # from now on in a swarm
  "docker exec -e SWARMGEN_JOIN_TOKEN "*" sh -c exec docker swarm join "*)
    # an engine in a swarm refuses to join another
    ! in_swarm "$4" || { echo 'Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.' >&2; exit 1; }
    [ "${SWARMGEN_JOIN_TOKEN#SWMTKN-1-secret-}" != "$SWARMGEN_JOIN_TOKEN" ] && touch "$STUB_DIR/in-$4" ;;
  "docker exec "*" docker swarm leave"*) ;;
  "docker exec "*" docker node update --availability "*) ;;
  "docker exec "*" docker node demote id-"*) : >"$STUB_DIR/demoted-${*: -1}" ;; # a roll-out's leader
  # a demoted manager's own engine is a worker (no manager, a worker's
  # certificate) at the second ask
  "docker exec "*" sh -c "*"grep -aq swarm-worker"*)
    d=$STUB_DIR/demoted-id-${2#"$P"}
    [ -e "$d" ] && echo x >>"$d.own" && [ "$(wc -l <"$d.own")" -ge 2 ] ;;
  "docker exec "*" docker node promote id-"*) rm -f "$STUB_DIR/demoted-${*: -1}" ;;
  "docker exec $L docker node update "* | "docker exec $L docker node demote "* | "docker exec $L docker node rm "*) ;;
  "docker exec $L docker network create "* | "docker exec $L docker network rm "*) ;;
  "docker exec $L docker service create "* | "docker exec $L docker service rm "* | "docker exec $L docker service scale "*) ;;
  "docker exec $L docker stack rm "*) ;;
  "docker exec "*" sh -c "*"docker stack deploy --prune -c "*) ;; # stack_deploy, with its record
  "docker exec $L sh -c "*"docker config ls -q --filter \"label=dev.swarmgen.stack="*) ;;  # stack_unrecord
  "docker build --quiet --label "*) touch "$STUB_DIR/built" ;;
  "docker image rm -- sha256:old") ;;
  "docker push --quiet -- "* | "docker pull --quiet -- "* | "docker tag -- "* | "docker volume rm "* | "docker context create "* | "docker context update "*) ;;
  *) echo "fake lab: no answer for: $CMD $*" >&2; exit 1 ;;
esac`

// Commands are the commands besides docker that the fake lab answers for
// (stub them too: stubdocker.New's also).
var Commands = []string{"curl", "uname", "ss"}

// Scenario is the stub docker scenario of the lab vars describe, with the
// answers of first before the fake lab's own (case patterns that win; end
// one with ;;& to fall through to the fake lab's answer).
func Scenario(vars Vars, first string) string {
	var s strings.Builder
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(&s, "%s=%s\n", k, shell.Quote(vars[k]))
	}
	s.WriteString(strings.Replace(answers, "case \"$CMD $*\" in\n", "case \"$CMD $*\" in\n"+first+"\n", 1))
	return s.String()
}

// Vars are the fake lab's variables (see answers).
type Vars map[string]string

// Add appends lines to the list key.
func (v Vars) Add(key string, lines ...string) {
	if len(lines) == 0 {
		return
	}
	v[key] = strings.TrimPrefix(v[key]+"\n"+strings.Join(lines, "\n"), "\n")
}

// Drop removes the lines of list key whose first word is one of words.
func (v Vars) Drop(key string, words ...string) {
	var kept []string
	for _, line := range strings.Split(v[key], "\n") {
		if f := strings.Fields(line); len(f) == 0 || !slices.Contains(words, f[0]) {
			kept = append(kept, line)
		}
	}
	v[key] = strings.Join(kept, "\n")
}

// Script is a generated bootstrap.sh and what it says the lab is.
type Script struct {
	Text string
	vars map[string]string   // NAME='value' and NAME=value lines
	arrs map[string][]string // NAME=( 'a' 'b' ) lines
}

var (
	scalarLine = regexp.MustCompile(`(?m)^([A-Z_]+)='?([^'()\n]*)'?$`)
	arrayLine  = regexp.MustCompile(`(?m)^([A-Z_]+)=\( (.*) \)$`)
	quoted     = regexp.MustCompile(`'([^']*)'`)
)

// Parse reads the lab out of the text of a generated bootstrap.sh.
func Parse(text string) Script {
	s := Script{Text: text, vars: map[string]string{}, arrs: map[string][]string{}}
	for _, m := range scalarLine.FindAllStringSubmatch(text, -1) {
		s.vars[m[1]] = m[2]
	}
	for _, m := range arrayLine.FindAllStringSubmatch(text, -1) {
		s.arrs[m[1]] = words(m[2])
	}
	return s
}

// words are the single-quoted words of line.
func words(line string) []string {
	var w []string
	for _, m := range quoted.FindAllStringSubmatch(line, -1) {
		w = append(w, m[1])
	}
	return w
}

// records are the quoted fields of each record of the header's array
// name (a record a line: its number of fields, then the fields).
func (s Script) records(name string) [][]string {
	var records [][]string
	m := regexp.MustCompile(`(?s)\n` + name + `=\(\n(.*?)\n?\)\n`).FindStringSubmatch(s.Text)
	if m == nil {
		return nil
	}
	for _, line := range strings.Split(m[1], "\n") {
		if strings.TrimSpace(line) != "" {
			records = append(records, words(line))
		}
	}
	return records
}

// converged is the fake lab's variables for the lab as up leaves it: every
// node in the swarm (the first manager leads) with its labels, every
// network, stack, service and image as the spec has it (CONTEXTS aside:
// see Up).
func (s Script) converged() Vars {
	prefix, project := s.vars["CONTAINER_PREFIX"], strings.TrimSuffix(s.vars["VOLUME_PREFIX"], "_")
	var nodes, containers, volumes, labels, stacks, services, registry, pushed, mirrors []string
	for i, c := range s.arrs["MANAGERS"] {
		status := "Reachable"
		if i == 0 {
			status = "Leader"
		}
		nodes = append(nodes, strings.TrimPrefix(c, prefix)+" Ready "+status)
	}
	for _, c := range s.arrs["WORKERS"] {
		nodes = append(nodes, strings.TrimPrefix(c, prefix)+" Ready ")
	}
	for _, c := range s.arrs["NODES"] {
		containers = append(containers, c)
		volumes = append(volumes, s.vars["VOLUME_PREFIX"]+strings.TrimPrefix(c, prefix)+"-docker")
	}
	containers = append(containers, s.vars["REGISTRY"])
	volumes = append(volumes, s.vars["VOLUME_PREFIX"]+"registry-data")
	for _, c := range s.records("NODE_LABELS") { // NODE KEYS KEY=VALUE...
		for _, kv := range c[2:] {
			labels = append(labels, c[0]+" "+kv)
		}
		if c[1] != "" {
			labels = append(labels, c[0]+" dev.swarmgen.labels="+c[1])
		}
	}
	for _, c := range s.records("STACKS") { // NAME FILE HASH
		stacks = append(stacks, c[0]+" "+c[2])
	}
	for _, c := range s.records("SERVICES") { // NAME HASH ...
		services = append(services, c[0]+" "+c[1])
	}
	var specs []string
	for _, c := range s.records("DESIRED") { // NAME OWNER MODE IMAGE PORTS ENV LABELS
		specs = append(specs, strings.Join(append([]string{c[0]}, c[2:]...), "\t"))
	}
	for _, c := range s.records("IMAGES") { // SOURCE BUILD DOCKERFILE REF REPOSITORY TAG NAME
		registry = append(registry, c[4]+":"+c[5]+" d-"+c[4])
		pushed = append(pushed, c[3]+" d-"+c[4])
	}
	for _, c := range s.records("MIRROR") { // REF PUSH-REF REPOSITORY TAG DIGEST
		registry = append(registry, c[2]+":"+c[3]+" d-"+c[2])
		pushed = append(pushed, c[1]+" d-"+c[2])
		mirrors = append(mirrors, c[0])
	}
	networks := strings.Fields(s.vars["KEEP_NETWORKS"])
	return Vars{
		"P": prefix, "PROJECT": project, "API_CONTEXT": s.vars["API_CONTEXT"], "MANAGERS": strings.Join(s.arrs["MANAGERS"], " "),
		"CONTAINERS": strings.Join(containers, "\n"), "STOPPED": "", "NODES": strings.Join(nodes, "\n"), "INACTIVE": "",
		"LABELS": strings.Join(labels, "\n"), "OVERLAYS": "ingress " + strings.Join(networks, " "), "LABELLED": strings.Join(networks, " "),
		"STACKS": strings.Join(stacks, "\n"), "SERVICES": strings.Join(services, "\n"), "SPECS": strings.Join(specs, "\n"),
		"REGISTRY": strings.Join(registry, "\n"), "PUSHED": strings.Join(pushed, "\n"), "CONTEXTS": "", "REBUILT": "",
		"VOLUMES": strings.Join(volumes, "\n"), "CONTEXT": "converged", "MIRRORS": strings.Join(mirrors, " "), "HUB": "",
	}
}

// Up is the lab as up leaves it: a directory that holds files (path:
// content; its generated files, say) and what up left there (the endpoint
// certificates, the builtin images' context and the record of the
// containers), and the fake lab's variables, with CONTEXTS as the script
// checksums the build contexts in that directory.
func (s Script) Up(t testing.TB, files map[string][]byte) (dir string, vars Vars) {
	t.Helper()
	dir = t.TempDir()
	all := map[string][]byte{
		".swarmgen/tls/server/key.pem": []byte("key"), ".swarmgen/tls/client/key.pem": []byte("key"), ".swarmgen/tls/client/cert.pem": []byte("cert"),
		".swarmgen/tls/sans": []byte(s.vars["TLS_SANS"] + "\n"),
	}
	maps.Copy(all, files)
	for file, content := range all {
		path := filepath.Join(dir, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vars = s.converged()
	// the record of the containers, as nodes-up writes it
	if out, err := s.run(t, dir, "mkdir -p .swarmgen\ncontainers_record >\"$COMPOSE_RECORD\"", Scenario(vars, "")); err != nil {
		t.Fatalf("recording the containers: %v\n%s", err, out)
	}
	// the images built from a context were built from this one (and a
	// builtin one from the base there is): REF DIGEST lines, as the
	// runtime reads its IMAGES records
	sums, err := s.run(t, dir, `digest_of() { if [ -n "$2" ]; then echo "$4 $(build_digest "$2" "$3" "$8")"; fi; }
each IMAGES digest_of`, `case "$*" in
  "image inspect --format {{.Id}} -- "*) echo `+baseID+` ;;
  *) exit 1 ;;
esac`)
	if err != nil {
		t.Fatalf("build_digest: %v %s", err, sums)
	}
	for _, line := range strings.Split(strings.TrimSpace(sums), "\n") {
		if line != "" {
			vars.Add("CONTEXTS", line)
		}
	}
	return dir, vars
}

// baseID is the image ID of the builtin images' base in the fake lab.
const baseID = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// MainLine is the runtime's line that runs main: what is before it defines
// the lab, the helpers and the steps, and sets up a run.
const MainLine = "\nmain \"$@\"\n"

// run runs the script's variables and functions (all before main runs),
// then body, in the lab's directory dir, with a stub docker that
// answers as scenario says.
func (s Script) run(t testing.TB, dir, body, scenario string) (string, error) {
	t.Helper()
	first := strings.Index(s.Text, MainLine)
	if first < 0 {
		t.Fatalf("the script has no line %q", strings.TrimSpace(MainLine))
	}
	file := filepath.Join(t.TempDir(), "bootstrap.sh")
	if err := os.WriteFile(file, []byte(s.Text[:first]+"\n"+body+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", file)
	cmd.Env = append(stubdocker.New(t, scenario).Env(), "SWARMGEN_LAB_DIR="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
