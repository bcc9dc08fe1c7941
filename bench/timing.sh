# shellcheck shell=bash
# bench/timing.sh — sourced by the benchmarks: the helpers they time and
# summarise with.
now() { date +%s.%N; }
# timed CMD...: prints the seconds CMD took; fails if CMD fails
timed() {
  local t0
  t0=$(now)
  "$@" >/dev/null || { echo "bench: $* failed" >&2; return 1; }
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
}
# median: the median of the numbers on stdin, one a line
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# machine: the facts a figure depends on
machine() { echo "$(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
