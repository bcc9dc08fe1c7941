package golden

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
)

// Pools of values a spec may hold, weighted towards what YAML or compose
// read as something else when written bare: numbers, nulls, booleans, one
// letter, names of what swarmgen itself declares.
var (
	propNames   = []string{"123", "null", "true", "false", "0x1f", "1e5", "007", "y", "n", "on", "off", "yes", "no", "m", "w1", "m1", "a-b", "manager", "worker01", "registry", "nan", "inf", "1-2"}
	propVolumes = []string{"./d:/data", "vol:/data", "w1-docker:/x", "m1-docker:/x", "registry-data:/r", "/:/host", "123:/n", "null:/n:ro", "true:/t", "./x:/./stack", "v:/var/lib/docker/x", "./a:/data/", "data.v:/v", "/var/run/docker.sock:/var/run/docker.sock"}
	propData    = []string{"registry-data", "null", "123", "./reg", "w1-docker", "true", "/srv/reg"}
	propLabels  = []string{"zone", "123", "null", "true", "a.b"}
	propPorts   = []string{"8000:80", "5000:5000", "9000:90/udp", "8000:81"}
	propLabs    = []string{"", "", "lab", "a", "x-1", "123"}
)

// choices reads decisions from bytes: the fuzzer mutates them, the test
// draws them from a seeded generator. Past the end every choice is 0.
type choices []byte

func (c *choices) pick(n int) int {
	if len(*c) == 0 {
		return 0
	}
	b := (*c)[0]
	*c = (*c)[1:]
	return int(b) % n
}

func (c *choices) of(pool []string) string { return pool[c.pick(len(pool))] }

// propSpec builds a spec from choices, every value written as a JSON
// string (a YAML double-quoted scalar) so that only swarmgen's own output
// can be misread.
func propSpec(c choices) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	b.WriteString("apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\n")
	if lab := c.of(propLabs); lab != "" {
		fmt.Fprintf(&b, "name: %s\n", q(lab))
	}
	fmt.Fprintf(&b, "registry: {data: %s}\n", q(c.of(propData)))
	fmt.Fprintf(&b, "nodes: {persist_data: %v}\n", c.pick(3) != 0)
	for _, group := range []string{"managers", "workers"} {
		if c.pick(3) == 0 {
			fmt.Fprintf(&b, "%s: %d\n", group, c.pick(4))
			continue
		}
		fmt.Fprintf(&b, "%s:\n", group)
		for range 1 + c.pick(3) {
			fmt.Fprintf(&b, "  - name: %s\n", q(c.of(propNames)))
			if c.pick(2) == 0 {
				fmt.Fprintf(&b, "    labels: {%s: %s}\n", q(c.of(propLabels)), q(c.of(propNames)))
			}
			if c.pick(3) == 0 {
				fmt.Fprintf(&b, "    ports: [%s]\n", q(c.of(propPorts)))
			}
			if n := c.pick(3); n > 0 {
				vols := make([]string, n)
				for i := range vols {
					vols[i] = q(c.of(propVolumes))
				}
				fmt.Fprintf(&b, "    volumes: [%s]\n", strings.Join(vols, ", "))
			}
		}
	}
	if c.pick(2) == 0 {
		net := c.of(propNames)
		fmt.Fprintf(&b, "networks: [{name: %s}]\n", q(net))
		fmt.Fprintf(&b, "stacks:\n  - name: %s\n    services:\n      %s: {image: nginx, networks: [%s]}\n    networks: {%s: {external: true}}\n",
			q(c.of(propNames)), q(c.of(propNames)), q(net), q(net))
		fmt.Fprintf(&b, "services: [{name: %s, image: nginx, networks: [%s]}]\n", q(c.of(propNames)), q(net))
	}
	return b.String()
}

// checkValidSpecLoads: a spec swarmgen accepts renders files that
// compose-go (as docker compose and docker stack deploy) loads.
func checkValidSpecLoads(t *testing.T, c choices) bool {
	t.Helper()
	spec := propSpec(c)
	dir := t.TempDir()
	res, err := generator.GenerateBytes(generator.Options{SpecPath: filepath.Join(dir, "swarm.yaml"), OutDir: filepath.Join(dir, "out")}, []byte(spec))
	if err != nil {
		return false // refused: nothing to load
	}
	loadBack(t, res)
	if t.Failed() {
		t.Logf("swarmgen accepted this spec, compose refuses its files:\n%s", spec)
	}
	return true
}

func TestValidSpecsLoadInCompose(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	accepted := 0
	const specs = 300
	for range specs {
		c := make(choices, 64)
		for i := range c {
			c[i] = byte(r.Uint32())
		}
		if checkValidSpecLoads(t, c) {
			accepted++
		}
		if t.Failed() {
			return
		}
	}
	// the pools are hostile on purpose; the property means little if
	// swarmgen refuses nearly all of them
	if accepted < specs/10 {
		t.Errorf("only %d of %d random specs are accepted: the test checks too little", accepted, specs)
	}
	t.Logf("%d of %d random specs accepted, all load in compose-go", accepted, specs)
}

func FuzzValidSpecsLoadInCompose(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 9))
	for range 20 {
		c := make([]byte, 64)
		for i := range c {
			c[i] = byte(r.Uint32())
		}
		f.Add(c)
	}
	var accepted atomic.Int64
	f.Fuzz(func(t *testing.T, c []byte) {
		if checkValidSpecLoads(t, c) {
			accepted.Add(1)
		}
	})
	f.Cleanup(func() { logAccepted(f, "specs accepted, their files loaded in compose-go", accepted.Load()) })
}
