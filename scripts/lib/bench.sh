# Shared by the benchmark scripts (sourced): sampling a process from /proc, letting Cassandra settle
# between measurements, medians. Each script sets, before calling these: `rdstream` (the binary),
# `cql_port`, `cassandra_pid` (may be empty), `clk` (getconf CLK_TCK) and a `log` function.

# run_sampled OUT ERR CMD... -> runs CMD in the background, samples its RSS (VmRSS) and CPU
# (utime + stime) from /proc every 100 ms until it exits, and notes when its stderr first says a
# partition was assigned. Prints "exit_code wall_s from_assigned_s peak_rss_kib cpu_s".
# `child_pid` holds the pid while it runs (for a cleanup trap).
run_sampled() {
  local out=$1 err=$2; shift 2
  local t0 t_assigned="" peak=0 ticks=0 now state rss fields
  t0=$(date +%s.%N)
  "$@" >"$out" 2>"$err" &
  child_pid=$!
  while true; do
    now=$(date +%s.%N)
    [[ -r /proc/$child_pid/stat ]] || break
    fields=$(sed -E 's/^.*\) //' "/proc/$child_pid/stat" 2>/dev/null) || break
    state=$(cut -d' ' -f1 <<<"$fields")
    # utime and stime are fields 14 and 15 of stat, 12 and 13 after the "pid (comm) " prefix.
    ticks=$(awk '{ print $12 + $13 }' <<<"$fields")
    [[ "$state" == Z ]] && break
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$child_pid/status" 2>/dev/null || echo 0)
    (( ${rss:-0} > peak )) && peak=$rss
    if [[ -z "$t_assigned" ]] && grep -q ": assigned " "$err"; then t_assigned=$now; fi
    sleep 0.1
  done
  local code=0
  wait "$child_pid" || code=$?
  child_pid=""
  local t1; t1=$(date +%s.%N)
  [[ -n "$t_assigned" ]] || t_assigned=$t0
  awk -v c="$code" -v t0="$t0" -v ta="$t_assigned" -v t1="$t1" -v p="$peak" -v k="$ticks" -v hz="$clk" \
    'BEGIN { printf "%d %.3f %.3f %d %.3f\n", c, t1 - t0, t1 - ta, p, k / hz }'
}

# settle KEYSPACE -> drops what the last measurement wrote and waits until Cassandra is idle (under
# 0.2 of a core for a second, at most 90 s), so that no run pays for the previous one's flushes and
# compactions. Without this the next run ran on the last one's compaction backlog.
settle() {
  "$rdstream" cql --port "$cql_port" "DROP KEYSPACE IF EXISTS $1" >/dev/null 2>&1 || log "dropping $1 failed"
  [[ -n "$cassandra_pid" && -r /proc/$cassandra_pid/stat ]] || return 0
  local t0 busy=1 a b
  t0=$(date +%s)
  while (( busy && $(date +%s) - t0 < 90 )); do
    a=$(awk '{ print $14 + $15 }' "/proc/$cassandra_pid/stat")
    sleep 1
    b=$(awk '{ print $14 + $15 }' "/proc/$cassandra_pid/stat")
    busy=$(awk -v d="$((b - a))" -v hz="$clk" 'BEGIN { print (d / hz > 0.2) ? 1 : 0 }')
  done
  log "Cassandra settled after dropping $1 ($(( $(date +%s) - t0 )) s)"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_list() { printf '%s\n' "$@" | jq -s 'map(tonumber)'; }
