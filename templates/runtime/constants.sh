
# --- constants: what Go spells too (templates/runtime_test.go checks each
# against its owner: packages ownlabels, dockerformat, plan, generator/model) ---
# the keys of swarmgen's own labels (ownlabels)
OWN_PREFIX=dev.swarmgen.
LABEL_CONTEXT=dev.swarmgen.context
LABEL_GWBRIDGE=dev.swarmgen.gwbridge
LABEL_HASH=dev.swarmgen.hash
LABEL_LAB=dev.swarmgen.lab
LABEL_LABELS=dev.swarmgen.labels
LABEL_LOADED=dev.swarmgen.loaded
LABEL_NETWORK=dev.swarmgen.network
LABEL_NODE=dev.swarmgen.node
LABEL_ROLE=dev.swarmgen.role
LABEL_SALT=dev.swarmgen.salt
LABEL_SECRET=dev.swarmgen.secret
LABEL_SERVICE=dev.swarmgen.service
LABEL_STACK=dev.swarmgen.stack
# the templates handed to docker's --format (dockerformat), by name
FORMAT_CONTAINER_CONFIG='{{.Names}} {{or (.Label "com.docker.compose.service") "-"}} {{or (.Label "com.docker.compose.config-hash") "-"}} {{.Image}}'
FORMAT_CONTAINER_NAME='{{.Names}}'
FORMAT_CONTAINER_PORTS='{{.Names}} {{.Ports}}'
FORMAT_CONTAINER_RECORD='{{.Names}} {{.ID}} {{.State}} {{.Ports}}'
FORMAT_CONTAINER_RUNNING='{{.State.Running}}'
FORMAT_CONTAINER_STATUS='{{.State.Status}}'
FORMAT_CONTEXT_ENDPOINT='{{.Name}}|{{.DockerEndpoint}} {{.Description}}'
FORMAT_CONTEXT_HOST='{{.Endpoints.docker.Host}}'
FORMAT_IMAGE_CONTEXT='{{index .Config.Labels "dev.swarmgen.context"}}'
FORMAT_IMAGE_DIGESTS='{{range .RepoDigests}}{{println .}}{{end}}'
FORMAT_IMAGE_ID='{{.Id}}'
FORMAT_IMAGE_TAGS='{{len .RepoTags}}'
FORMAT_IMAGE_ID_DIGESTS='{{.Id}}{{range .RepoDigests}} {{.}}{{end}}'
FORMAT_IMAGE_REFS='{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}'
FORMAT_MACHINE_INFO='{{.Name}} {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{with .Swarm.Cluster}}{{.ID}}{{end}}'
FORMAT_NAME='{{.Name}}'
FORMAT_NETWORK_LINE='{{.Name}} {{.Label "dev.swarmgen.network"}}'
FORMAT_NODE_GWBRIDGE='{{.Description.Hostname}} {{index .Spec.Labels "dev.swarmgen.gwbridge"}}'
FORMAT_NODE_ID='{{.ID}}'
FORMAT_INFO_NODE_ID='{{.Swarm.NodeID}}'
FORMAT_NODE_LAB='{{index .Spec.Labels "dev.swarmgen.lab"}}'
FORMAT_NODE_LABELS='{{$n := .Description.Hostname}}{{range $k, $v := .Spec.Labels}}{{$n}} {{$k}}={{$v}}{{println}}{{end}}'
FORMAT_NODE_LEADER='{{.ManagerStatus.Leader}}'
FORMAT_NODE_LINE='{{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}'
FORMAT_NODE_READY='{{.Hostname}} {{.Status}}'
FORMAT_NODE_ROW='{{.ID}}{{if .Self}} *{{end}}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}'
FORMAT_NODE_STATUS='{{.ID}} {{.Status.State}} {{.Spec.Availability}} {{with .ManagerStatus}}{{.Reachability}}{{end}}'
FORMAT_NODE_STATE='{{.Status.State}}'
FORMAT_REGISTRY_STATE='{{.State.Running}} {{index .Config.Labels "dev.swarmgen.hash"}} {{index .Config.Labels "dev.swarmgen.loaded"}}'
FORMAT_SECRET_LINE='{{.Name}} {{.Label "dev.swarmgen.secret"}} {{.Label "dev.swarmgen.salt"}}'
FORMAT_SERVICE_OWNER='{{with index .Spec.Labels "com.docker.stack.namespace"}}stack {{.}}{{println}}{{end}}{{with index .Spec.Labels "dev.swarmgen.hash"}}hash {{$.Spec.Name}} {{.}}{{end}}'
FORMAT_SERVICE_REPLICAS='{{.Name}} {{.Replicas}}'
FORMAT_SERVICE_SPEC='{{println}}spec {{.Spec.Name}}{{"\t"}}{{if .Spec.Mode.Global}}global{{else}}replicated{{with .Spec.Mode.Replicated}} {{.Replicas}}{{end}}{{end}}{{"\t"}}{{.Spec.TaskTemplate.ContainerSpec.Image}}{{"\t"}}{{with .Spec.EndpointSpec}}{{range .Ports}}{{.PublishedPort}}:{{.TargetPort}}/{{.Protocol}}/{{.PublishMode}} {{end}}{{end}}{{"\t"}}{{json .Spec.TaskTemplate.ContainerSpec.Env}}{{"\t"}}{{json .Spec.Labels}}'
FORMAT_SERVICE_ROW='{{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}'
FORMAT_STACK_RECORD='{{.Label "dev.swarmgen.stack"}} {{.Label "dev.swarmgen.hash"}}'
FORMAT_SWARM_ERROR='{{.Swarm.Error}}'
FORMAT_SWARM_MEMBERSHIP='{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{with .Swarm.Cluster}}{{.ID}}{{end}}'
FORMAT_SWARM_STATE='{{.Swarm.LocalNodeState}}'
# a task swarm gave up on: wait-converged tells a pull that cannot work
FORMAT_TASK_REJECTED='{{.Name}}|{{.Node}}|{{.Image}}|{{.Error}}'
# docker info: where the engine runs (preflight)
FORMAT_HOST_KIND='{{.OperatingSystem}}|{{.Name}}'
FORMAT_TASK_OWNER='{{.Label "com.docker.stack.namespace"}}|{{.Label "com.docker.swarm.service.name"}}'
# the first word of a plan line, and the op of a refused change (plan)
PLAN_TAG=plan
PLAN_REFUSED='!'
# where nodes-up records, in the lab's directory, the containers compose
# up left (generator/model); all else the lab remembers is in its swarm
COMPOSE_RECORD=.swarmgen/compose-up

# dq NAME VALUE: sets NAME to VALUE escaped for the inside of a
# double-quoted word (a format in the script a node's sh runs).
dq() {
  # shellcheck disable=SC1003 # a backslash, not an escaped quote
  local v=$2 bs='\' q='"' d='$' bq='`'
  v=${v//"$bs"/"$bs$bs"}
  v=${v//"$q"/"$bs$q"}
  v=${v//"$d"/"$bs$d"}
  v=${v//"$bq"/"$bs$bq"}
  printf -v "$1" '%s' "$v"
}
# the formats of the scripts that a node's sh runs (on_sh), so escaped
for f in SWARM_MEMBERSHIP NODE_LINE NODE_ROW NODE_LABELS NETWORK_LINE STACK_RECORD SERVICE_REPLICAS \
  SERVICE_ROW SERVICE_OWNER SERVICE_SPEC SECRET_LINE NODE_LEADER NODE_ID NODE_READY NAME NODE_GWBRIDGE TASK_REJECTED; do
  f=FORMAT_$f
  dq "Q_${f#FORMAT_}" "${!f}"
done
unset f
