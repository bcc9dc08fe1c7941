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
  local line
  for line in ${SUMMARY[@]+"${SUMMARY[@]}"}; do
    say "$line"
  done
}
