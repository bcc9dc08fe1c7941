# docker_table HEADER: tab-separated rows (stdin) laid out under HEADER as
# docker lays out its tables (a column is its widest cell and 3 spaces, at
# least 10 wide).
docker_table() {
  awk -F'\t' -v h="$1" 'BEGIN { r[0] = h } { r[NR] = $0 }
    END {
      for (i = 0; i <= NR; i++) { n = split(r[i], c, "\t"); for (j = 1; j < n; j++) if (length(c[j]) + 3 > w[j]) w[j] = length(c[j]) + 3 }
      for (i = 0; i <= NR; i++) {
        n = split(r[i], c, "\t"); line = ""
        for (j = 1; j < n; j++) line = line sprintf("%-" (w[j] > 10 ? w[j] : 10) "s", c[j])
        print line c[n]
      }
    }'
}

summary() {
  # the swarm's nodes and services as docker node ls and docker service ls
  # show them, from the swarm read (made again if this run changed the swarm)
  swarm_lines noderow | docker_table 'ID\tHOSTNAME\tSTATUS\tAVAILABILITY\tMANAGER STATUS\tENGINE VERSION'
  echo
  swarm_lines servicerow | docker_table 'ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS'
  local line faults
  for line in ${SUMMARY[@]+"${SUMMARY[@]}"}; do
    say "$line"
  done
  faults=$(net_faults)
  if [ -n "$faults" ]; then
    say "warning: network faults are in force, and up does not heal them (swarmgen net heal does):"
    while IFS= read -r line; do say "  $line"; done <<FAULTS
$faults
FAULTS
  fi
}

# net_faults: a line a node for the network faults swarmgen net put in
# force, which it records as labels of the swarm's nodes: up heals none of
# them, and says so from the one read of the swarm it has, without reading
# every node's firewall.
net_faults() {
  swarm_lines label | awk -v cut="$LABEL_NET_CUT=" -v delay="$LABEL_NET_DELAY=" '
    { kv = substr($0, length($1) + 2); what = "" }
    index(kv, cut) == 1 && length(kv) > length(cut) { what = "cut off from " substr(kv, length(cut) + 1) }
    index(kv, delay) == 1 && length(kv) > length(delay) { what = substr(kv, length(delay) + 1) }
    what != "" {
      if ($1 in f) f[$1] = f[$1] "; " what
      else { order[++n] = $1; f[$1] = what }
    }
    END { for (i = 1; i <= n; i++) print order[i] ": " f[order[i]] }'
}
