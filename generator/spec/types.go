// Package spec is the swarm.yaml format: its versioned types, strict
// decoding with positions, defaults, validation and JSON Schema.
package spec

import "gopkg.in/yaml.v3"

// APIVersion is the only spec version this swarmgen reads.
const APIVersion = "swarmgen.dev/v1alpha1"

// Kind is the only kind of document a spec holds.
const Kind = "Lab"

// Spec is one lab: a registry, swarm nodes, and what runs on them.
type Spec struct {
	APIVersion     string     `yaml:"apiVersion" desc:"Spec format version. Must be swarmgen.dev/v1alpha1." required:"true"`
	Kind           string     `yaml:"kind" desc:"Must be Lab." required:"true"`
	Name           string     `yaml:"name" desc:"Lab name, used as the compose project name and container-name prefix. Empty: containers are named exactly like the nodes (registry, manager, worker01...), as in the classic setup. Give each lab that runs beside another its own name."`
	BindAddress    string     `yaml:"bind_address" desc:"Host address that published ports bind to. Default 127.0.0.1, so the lab is not reachable from the LAN; 0.0.0.0 opens it."`
	RoutingMesh    *bool      `yaml:"routing_mesh" desc:"Whether the swarm routing mesh (ingress ports, VIP service addresses) is used. Default true. Set false on kernels without IPVS: services then get endpoint_mode dnsrr, ports are published in host mode, and a swarm made then has no ingress network (a port published in ingress mode by hand is refused instead of never answering)."`
	DockerEndpoint *bool      `yaml:"docker_endpoint" desc:"Whether each manager's engine also listens on TCP with mutual TLS, published on bind_address at a port docker picks, for the host's own docker client: swarmgen up registers the docker context swarmgen-<name> (swarmgen for an unnamed lab) and swarmgen env prints DOCKER_HOST for it. Default true. bootstrap.sh makes the lab's certificates with openssl under .swarmgen/tls (ignored by git) the first time."`
	LabNetwork     LabNetwork `yaml:"lab_network" desc:"The bridge network the registry and nodes are attached to, with fixed addresses so a restarted lab keeps its swarm."`
	Registry       Registry   `yaml:"registry" desc:"The private registry container the nodes pull from as registry:5000 (a lab of machines: on registry.machine, or registry.address)."`
	Nodes          NodeConfig `yaml:"nodes" desc:"Settings shared by every swarm node container."`
	Managers       NodeGroup  `yaml:"managers" desc:"Manager nodes: a count (default 1; one manager is named manager, several manager01, manager02...) or a list of named nodes."`
	Workers        NodeGroup  `yaml:"workers" desc:"Worker nodes: a count (default 3, named worker01, worker02...) or a list of named nodes."`
	Images         []Image    `yaml:"images" desc:"Images put into the lab registry before stacks are deployed."`
	Networks       []Network  `yaml:"networks" desc:"Overlay networks created before stacks are deployed; stacks use them as external networks."`
	Stacks         []Stack    `yaml:"stacks" desc:"Stacks, each written to stack/<name>.yml and deployed with docker stack deploy."`
	Services       []Service  `yaml:"services" desc:"Standalone services created with docker service create."`
	AutoRestart    *bool      `yaml:"auto_restart" desc:"Whether the registry and node containers start again by themselves when the Docker engine starts (after a reboot or an engine restart) or when one exits on its own: the swarm comes back with the same node IDs without swarmgen start (restart policy unless-stopped). Default true. A lab stopped by swarmgen stop, or a node by swarmgen node stop or kill, stays stopped. Set false to start the lab only by hand."`
	TakeOverSwarm  *bool      `yaml:"take_over_swarm" desc:"Machines only: whether a machine already in a swarm other than this lab's may be made to leave it and join this one. Default false: bootstrap.sh refuses such a machine and changes nothing."`
	Visualizer     Visualizer `yaml:"visualizer" desc:"A visualizer deployed as stack visualizer on a manager, published on swarm port 9000: builtin (swarmgen's own page, an image of this binary that swarmgen up builds and pushes to the lab registry), an image such as dockersamples/visualizer (it must serve on port 8080), or empty for none. The mapping form (image, auth) also sets a password."`
}

// Visualizer is the visualizer stack: `visualizer: IMAGE`, or a mapping
// with the image and its auth.
type Visualizer struct {
	Image string          `yaml:"image" desc:"builtin (the default in the mapping form), or an image such as dockersamples/visualizer."`
	Auth  *VisualizerAuth `yaml:"auth" desc:"HTTP basic auth on every page and API of the builtin visualizer. The password stays out of every generated file: bootstrap.sh puts the file's content into a swarm secret, which the visualizer reads."`
	// FromMapping: the spec used the mapping form
	FromMapping bool
}

// VisualizerAuth is the builtin visualizer's user and password.
type VisualizerAuth struct {
	User         string `yaml:"user" desc:"User name (letters, digits and . _ @ -)." required:"true"`
	PasswordFile string `yaml:"password_file" desc:"A file, relative to the spec and inside its directory (unless --allow-outside-spec-dir), holding the password on one line (a final newline is not part of it). Keep it out of version control; bootstrap.sh reads it at every run and makes a new secret version when it changed." required:"true"`
}

// LabNetwork is the bridge network of the lab's containers.
type LabNetwork struct {
	Subnet string `yaml:"subnet" desc:"IPv4 subnet in CIDR form. Default: a /24 (larger for big labs) in 10.247.0.0/16 chosen from the lab name, so labs with different names get different subnets."`
}

// Registry is the lab's private registry container.
type Registry struct {
	Image string `yaml:"image" desc:"Registry image. Default registry:3.0.0."`
	Port  int    `yaml:"port" desc:"Host port the registry is published on (images are pushed through it). Default 5000."`
	Data  string `yaml:"data" desc:"Where the registry keeps its data: a volume name (default registry-data) or a host directory starting with ./ or /."`
	// Machine and Address are for labs of machines (nodes with endpoint or context).
	Machine string `yaml:"machine" desc:"Machines only: the node (a manager or worker name) whose engine runs the lab registry as a container, published on registry.port, with a TLS certificate of the lab's CA that every machine trusts through its engine's certs.d. Default: the first manager, when the lab has images to push."`
	Address string `yaml:"address" desc:"Machines only: HOST:PORT of an existing registry the machines can pull from (and the host can push to), instead of registry.machine."`
}

// NodeConfig holds what every node container shares.
type NodeConfig struct {
	Image        string        `yaml:"image" desc:"Docker-in-Docker image of every node. Default docker:28.5.2-dind."`
	Privileged   *bool         `yaml:"privileged" desc:"Run nodes privileged, as Docker-in-Docker usually needs. Default true. Set false on hosts that refuse privileged containers; nodes then get the capabilities below."`
	Capabilities *Capabilities `yaml:"capabilities" desc:"Powers given to nodes when privileged is false. Default: every capability but SYS_RESOURCE, seccomp and apparmor unconfined, all devices allowed."`
	PersistData  *bool         `yaml:"persist_data" desc:"Keep each node's /var/lib/docker in a named volume so the swarm survives compose stop/start. Default true."`
}

// Capabilities replace privileged mode on hosts that refuse it.
type Capabilities struct {
	Add               []string `yaml:"add" desc:"Linux capabilities to add (cap_add). Default [ALL]."`
	Drop              []string `yaml:"drop" desc:"Linux capabilities to drop (cap_drop). Default [SYS_RESOURCE]."`
	SecurityOpt       []string `yaml:"security_opt" desc:"Security options. Default [seccomp=unconfined, apparmor=unconfined]."`
	DeviceCgroupRules []string `yaml:"device_cgroup_rules" desc:"Device cgroup rules. Default ['a *:* rwm']."`
}

// NodeGroup is either a count of anonymous nodes or a list of named ones.
type NodeGroup struct {
	Set       bool   // false when the spec does not mention the group
	FromCount bool   // Nodes were named by swarmgen from Count
	Count     int    // used when Nodes is nil
	Nodes     []Node // explicit nodes
}

// Node is one swarm node: a container, or a machine (Endpoint or Context).
type Node struct {
	Name     string            `yaml:"name" desc:"Node name: container hostname, compose service and swarm node name. a-z, 0-9 and '-'. For a machine: its hostname (docker info's Name), which is how the swarm names it." required:"true"`
	Endpoint string            `yaml:"endpoint" desc:"A machine instead of a container: the Docker endpoint of its engine, tcp://HOST:PORT (with tls) or ssh://USER@HOST[:PORT] (the docker CLI's own SSH transport). A spec's nodes are all machines or all containers."`
	TLS      string            `yaml:"tls" desc:"For a tcp:// endpoint: a directory inside the spec's tree holding ca.pem, cert.pem and key.pem (the DOCKER_CERT_PATH layout), relative to the spec."`
	Context  string            `yaml:"context" desc:"A machine reached through this existing docker context, instead of endpoint."`
	Image    string            `yaml:"image" desc:"Image of this node only (default nodes.image)."`
	Address  string            `yaml:"address" desc:"Fixed IPv4 address in lab_network.subnet. Default: managers from .10, workers from .20 (offset for big labs). For a machine: its swarm advertise address, the one the other machines reach it at; default: the endpoint's host when it is an IPv4 address."`
	Labels   map[string]string `yaml:"labels" desc:"Swarm node labels, usable in placement constraints as node.labels.<key>."`
	Ports    []string          `yaml:"ports" desc:"Host ports mapped to this node container, HOST:CONTAINER[/tcp|udp], bound to bind_address."`
	Volumes  []string          `yaml:"volumes" desc:"Extra mounts, SOURCE:TARGET[:ro]; a relative source is relative to the generated files. The stack directory is always mounted at /stack on managers."`
}

// Image is an image put into the lab registry.
type Image struct {
	Source     string `yaml:"source" desc:"A local image on the host, e.g. yutsuki/echo:latest. Give source, build or builtin."`
	Build      string `yaml:"build" desc:"A build context directory (with a Dockerfile), relative to the spec. Give source, build or builtin."`
	Builtin    string `yaml:"builtin" desc:"An image swarmgen carries and swarmgen up builds, with nothing to pull or prebuild: echo (the classic lab's demo app: an HTTP server on port 8080 that answers with the name of the container that served it). Give source, build or builtin."`
	Dockerfile string `yaml:"dockerfile" desc:"Dockerfile path inside the build context. Default Dockerfile."`
	Name       string `yaml:"name" desc:"Name in the registry, without registry host: yutsuki/echo:latest becomes registry:5000/yutsuki/echo:latest. Default: the source's path and tag." `
}

// BuiltinImages are the images swarmgen carries (images[].builtin): the
// swarmgen binary in a FROM scratch image, run as that program.
var BuiltinImages = []string{BuiltinEcho}

// BuiltinEcho is the classic lab's demo app (`swarmgen demo-echo`).
const BuiltinEcho = "echo"

// Network is an overlay network created before the stacks.
type Network struct {
	Name       string `yaml:"name" desc:"Network name." required:"true"`
	Attachable *bool  `yaml:"attachable" desc:"Allow standalone containers to attach. Default true."`
	Subnet     string `yaml:"subnet" desc:"IPv4 subnet in CIDR form. Default: chosen by swarm."`
}

// Stack is one stack file, written inline or pointing at an existing file.
type Stack struct {
	Name     string    `yaml:"name" desc:"Stack file name: written to stack/<name>.yml." required:"true"`
	DeployAs string    `yaml:"deploy_as" desc:"Stack name given to docker stack deploy (services become <deploy_as>_<service>). Default: name."`
	File     string    `yaml:"file" desc:"An existing stack file, relative to the spec, used unchanged. Give file or services."`
	Services yaml.Node `yaml:"services" desc:"Services in compose syntax, as in a stack file." schema:"object"`
	Networks yaml.Node `yaml:"networks" desc:"Networks in compose syntax, as in a stack file." schema:"object"`
	Volumes  yaml.Node `yaml:"volumes" desc:"Volumes in compose syntax, as in a stack file." schema:"object"`
	Configs  yaml.Node `yaml:"configs" desc:"Configs in compose syntax, as in a stack file." schema:"object"`
	Secrets  yaml.Node `yaml:"secrets" desc:"Secrets in compose syntax, as in a stack file." schema:"object"`
}

// Service is a standalone service created with docker service create.
type Service struct {
	Name        string            `yaml:"name" desc:"Service name." required:"true"`
	Image       string            `yaml:"image" desc:"Image, e.g. registry:5000/yutsuki/echo:latest." required:"true"`
	Mode        string            `yaml:"mode" desc:"replicated (default) or global." enum:"replicated,global"`
	Replicas    *int              `yaml:"replicas" desc:"Number of tasks for a replicated service. Default 1."`
	Ports       []string          `yaml:"ports" desc:"Published ports, PUBLISHED:TARGET[/tcp|udp]. Ingress mode with the routing mesh, host mode without."`
	Networks    []string          `yaml:"networks" desc:"Overlay networks (from networks) to attach to."`
	Constraints []string          `yaml:"constraints" desc:"Placement constraints, e.g. node.role == worker, node.labels.zone == a."`
	Environment map[string]string `yaml:"environment" desc:"Environment variables."`
	Args        []string          `yaml:"args" desc:"Command arguments passed to the image's entrypoint."`
}
