package golden

import (
	"strings"
	"testing"
)

// push-images mirrors the Docker Hub images the stacks name into the lab
// registry: an image already there is skipped, one on this host or pulled
// here is tagged and pushed, one that is neither stops up with the pull's
// reason and what to do; a plan says what it would push.
func TestMirrorImages(t *testing.T) {
	// the stub registry holds nginx:1 when $THERE; the host has it when
	// $HOST; the pull works when $PULLS; nginx@sha256:ab.. is in the
	// registry when $DIGEST
	const scenario = `case "$CMD $*" in
    "curl -fsS -o /dev/null http://localhost:5000/v2/") ;;
    "curl -fsS -o /dev/null -I "*" http://localhost:5000/v2/library/nginx/manifests/1") [ -n "$THERE" ] || exit 22 ;;
    "curl -fsS -o /dev/null -I "*" http://localhost:5000/v2/library/nginx/manifests/sha256:abcd") [ -n "$DIGEST" ] || exit 22 ;;
    "curl -fsSI "*" http://localhost:5000/v2/library/nginx/manifests/1")
      [ -n "$THERE" ] || exit 22
      printf 'HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:aaa\r\n' ;;
    "docker image inspect -- nginx:1" | "docker image inspect -- nginx@sha256:abcd")
      [ -n "$HOST" ] || [ -e "$STUB_DIR/pulled" ] || { echo "Error: No such image" >&2; exit 1; } ;;
    "docker image inspect --format "*" localhost:5000/library/nginx:1") echo "localhost:5000/library/nginx@sha256:${LOCAL:-aaa}" ;;
    "docker pull --quiet -- nginx:1" | "docker pull --quiet -- nginx@sha256:abcd")
      if [ -n "$PULLS" ]; then touch "$STUB_DIR/pulled"; exit 0; fi
      echo 'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host' >&2; exit 1 ;;
    "docker tag -- "*) ;;
    "docker push --quiet -- "*) ;;
    *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
  esac`
	const byTag = "MIRROR=( 5 nginx:1 localhost:5000/library/nginx:1 library/nginx 1 '' )\n"
	const byDigest = "MIRROR=( 5 nginx@sha256:abcd localhost:5000/library/nginx:sha256-abcd library/nginx sha256-abcd sha256:abcd )\n"
	const push = "push --quiet -- localhost:5000/library/nginx:"
	for _, tc := range []struct {
		name, env, mirror string
		plan, fails       bool
		say               string
		pushes            bool
		never             []string
	}{
		{name: "already in the registry", env: "THERE=1", mirror: byTag, say: "nginx:1 unchanged", never: []string{"pull ", "tag "}},
		{name: "the host's image differs from the registry's", env: "THERE=1 HOST=1 LOCAL=bbb", mirror: byTag, say: "nginx:1 pushed", pushes: true, never: []string{"pull "}},
		{name: "pinned by digest, there", env: "DIGEST=1", mirror: byDigest, say: "nginx@sha256:abcd unchanged", never: []string{"pull ", "tag "}},
		{name: "on this host", env: "HOST=1", mirror: byTag, say: "nginx:1 pushed (Docker Hub mirror)", pushes: true, never: []string{"pull "}},
		{name: "pulled here", env: "PULLS=1", mirror: byDigest, say: "nginx@sha256:abcd pushed", pushes: true},
		{name: "neither on the host nor pullable", mirror: byTag, fails: true,
			say:   `error: image nginx:1 (a stack's Docker Hub image) is neither on this host nor pullable: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host; pull it where there is a connection, or swarmgen images load a bundle`,
			never: []string{"tag ", "push "}},
		{name: "plan: not there", mirror: byTag, plan: true, say: "+\timage\tnginx:1\tinto the lab registry (Docker Hub mirror)", never: []string{"pull ", "tag ", "push "}},
		{name: "plan: there", env: "DIGEST=1", mirror: byDigest, plan: true, never: []string{"pull ", "tag ", "push ", "Docker Hub mirror"}},
		{name: "other registries' images: one note", env: "THERE=1", mirror: byTag + "OUTSIDE=( ghcr.io/a/b:1 quay.io/c:2 )\n",
			say: "note: the nodes pull ghcr.io/a/b:1 quay.io/c:2 from outside the lab"},
		{name: "nothing to mirror", mirror: "MIRROR=( )\nOUTSIDE=( )\n", say: "no images to push", never: []string{"curl", "pull "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := ""
			if tc.plan {
				plan = "PLAN=1\nexec 3>&1\n"
			}
			body := "export THERE= HOST= PULLS= DIGEST= LOCAL= " + tc.env + "\n" + plan + "IMAGES=( )\n" + tc.mirror +
				"push_images\n"
			out, calls, err := runScenario(t, scenario, body, "curl")
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v (want failure: %v)\n%s\ncalls:\n%s", err, tc.fails, out, calls)
			}
			if !strings.Contains(out, tc.say) {
				t.Errorf("output lacks %q:\n%s", tc.say, out)
			}
			if got := strings.Contains(calls, push); got != tc.pushes {
				t.Errorf("pushed: %v, want %v; calls:\n%s", got, tc.pushes, calls)
			}
			for _, n := range tc.never {
				if strings.Contains(calls, "\n"+n) || strings.HasPrefix(calls, n) || strings.Contains(out, n) && !strings.Contains(tc.say, n) {
					t.Errorf("a call or the output has %q; calls:\n%s\nout:\n%s", n, calls, out)
				}
			}
		})
	}
}
