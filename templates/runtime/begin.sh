# --- runtime: the same bytes in every bootstrap.sh (swarmgen's templates/runtime) ---
#
# Brings the lab the header above describes to what the spec says and is
# safe to run again: every step reads the lab and changes only what
# differs. Steps print "==> NAME" when they start and "<== NAME ok|FAILED
# SECONDS" when they end (swarmgen up reads these lines).
#
# Usage: bootstrap.sh [--plan]
#   --plan (or SWARMGEN_PLAN=1) changes nothing and prints what would
#   change, a tab-separated line each: "plan OP KIND NAME DETAIL", OP + add,
#   ~ change, - remove, ! refused (swarmgen plan groups and colours them).
#        bootstrap.sh load SOURCE REF REPOSITORY TAG NAME...
#   puts host images into the running lab's registry (swarmgen load runs
#   it with the names it computes for each image); nothing else changes.
#        bootstrap.sh down [--plan]
#   a lab of machines: removes from the machines all that the lab put
#   there (swarmgen down runs it, after showing what down --plan prints).
#        bootstrap.sh context
#   points the lab's docker context at the leading manager (swarmgen
#   recover runs it); nothing else changes.
# Environment: SWARMGEN_WAIT  seconds to wait for nodes and services (default 300)
#              SWARMGEN_JOIN_PARALLEL  at most this many joins at once (default 32;
#                the joins start with 2 and widen while they go well)
#              SWARMGEN_ROLLOUT_PARALLEL  workers recreated at once when
#                node containers change (default 1)
#              SWARMGEN_VERBOSE=1  print every docker command
#              SWARMGEN_FORCE=1  apply a change that is refused (removing
#                managers so that the rest lose quorum while one is down)
#              SWARMGEN_LAB_DIR  the generated files' directory (default:
#                this script's)
#              SWARMGEN_COMPOSE_FILE  the compose file to read instead of the
#                lab's docker-compose.yml (swarmgen plan: the file as rendered now)
#
# The runtime is plain bash 3.2 (macOS's /bin/bash): helpers, the
# providers (how nodes are reached: provider.sh lists what each defines),
# one section a step, then setup and main, which run last.
set -euo pipefail
