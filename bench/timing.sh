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
# cpu_ticks: the host's CPU time stolen by the hypervisor, and all of it
# (fields 2-9 of /proc/stat's cpu line; the guest fields are in user's)
cpu_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }
# The speed of the day, taken as a benchmark starts (before it runs a lab):
# the same machine kind ran a 30-node cold up in 75 s one day and 15 s the
# next (docs/benchmarks.md), so a figure goes with a fixed single-core
# workload's time, and with the share of CPU time the hypervisor took
# (steal) while the benchmark ran.
cpu_ref=$(t0=$(now) && head -c 268435456 /dev/zero | sha256sum >/dev/null &&
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
ticks_at_start=$(cpu_ticks)
# machine: the facts a figure depends on
machine() {
  local steal
  steal=$(printf '%s %s\n' "$ticks_at_start" "$(cpu_ticks)" |
    awk '{ t = $4 - $2; printf "%.1f", (t > 0 ? 100 * ($3 - $1) / t : 0) }')
  echo "$(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg), CPU reference ${cpu_ref} s (sha256sum of 256 MiB at the start), steal ${steal}% since the start"
}
