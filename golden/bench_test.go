package golden

import (
	"path/filepath"
	"testing"

	"github.com/swarmgen/swarmgen/generator"
)

// bigLab is 500 nodes (3 managers, 497 workers) with labels, two stacks
// and a standalone service.
const bigLab = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: big
managers: 3
workers: 497
images:
  - source: yutsuki/echo:latest
networks:
  - name: backend
stacks:
  - name: web
    services:
      proxy:
        image: nginx:1.27-alpine
        ports: ["80:80"]
        deploy:
          replicas: 20
          placement:
            constraints: [node.role == worker]
        networks: [backend]
      api:
        image: registry:5000/yutsuki/echo:latest
        deploy:
          replicas: 100
        networks: [backend]
    networks:
      backend:
        external: true
  - name: monitoring
    services:
      agent:
        image: prom/node-exporter:v1.8.2
        ports: ["9100:9100"]
        deploy:
          mode: global
services:
  - name: whoami
    image: traefik/whoami:v1.10
    replicas: 10
    ports: ["8081:80"]
    constraints: [node.role == worker]
`

func BenchmarkRender500Nodes(b *testing.B) {
	opt := generator.Options{SpecPath: filepath.Join(b.TempDir(), "swarm.yaml"), OutDir: b.TempDir()}
	res, err := generator.GenerateBytes(opt, []byte(bigLab))
	if err != nil {
		b.Fatal(err)
	}
	if n := len(res.Lab.Managers) + len(res.Lab.Workers); n != 500 {
		b.Fatalf("%d nodes, want 500", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generator.GenerateBytes(opt, []byte(bigLab)); err != nil {
			b.Fatal(err)
		}
	}
}
