
# --- providers: how the lab's nodes are made and reached ---
# A provider is one file, provider-NAME.sh, whose function provider_NAME
# defines the functions below; setup runs provider_$PROVIDER (the header's
# PROVIDER) once. The steps call only these, and never ask which provider
# they run on. A new provider is one more file defining the same set.
#   host_env          forget a docker environment of this shell that points into the lab (eval "$(swarmgen env)")
#   host_check        preflight: what this host must offer the lab (free ports, a kernel that can run it)
#   start_nodes       the steps that end with every node's engine answering; starts the pushes (start_push) once the registry can take them
#   on NODE ARGS...   a docker command on NODE's own engine
#   on_stdin NODE ARGS...                  on, with this script's stdin
#   on_sh NODE [-t] [-e VAR]... SCRIPT [NAME ARGS...]  sh -c SCRIPT where docker is NODE's engine (-t traces, -e passes VAR)
#   lab_stopped       plan mode, no manager answers: does the lab exist, stopped (its swarm comes back when it starts)?
#   swarm_made        right after swarm init: what marks the new swarm as the lab's
#   remove_gone NODE ROLE    removes (with act) a node the spec no longer has from the swarm, and from its host
#   remove_leftovers NODE... after remove_gone: what else of the lab's nodes the spec no longer has goes
#   registry_ready    before the first push: the lab registry is there
#   wait_registry     a push waits until the lab registry answers
#   registry_running  bootstrap.sh load: fails unless the lab registry runs
#   push_ref REF      puts the host's image REF into the lab registry
#   in_registry IMAGE REF REPOSITORY TAG   does the lab registry hold IMAGE (a host image) as REF?
#   node_changes      "CONTAINER SERVICE REASON" of each node that must be recreated (nodes-up decides; rollout recreates them)
#   recreate_node CONTAINER SERVICE   recreates that node (its swarm state is kept)
#   rollout_done      after the rollout: every node is as the spec says
#   docker_context    points the host's docker context $API_CONTEXT at the leader
#   lab_down          bootstrap.sh down: removes all the lab put on its nodes
