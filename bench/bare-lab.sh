# shellcheck shell=bash
# bench/bare-lab.sh — sourced by the benchmarks that time node counts:
# bare_lab NODES prints the spec of a bare lab of NODES nodes (3 managers,
# the rest workers, no stacks) on the e2e images.
bare_lab() {
  cat <<SPEC
apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: scale
routing_mesh: false
registry: {image: swarmgen-e2e/registry:3, port: 15002}
nodes: {image: swarmgen-e2e/dind:bookworm, privileged: false}
managers: 3
workers: $(($1 - 3))
SPEC
}
