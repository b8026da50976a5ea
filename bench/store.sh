#!/usr/bin/env bash
# What the job store costs (issue 12's figures, beside issue 8's W4): one gateway JVM (roles
# gateway,worker, the embedded default of `bin/taskgrid start`) three times in one run, with the
# store off (jobs in memory: the reference), with H2 in a file (a temporary data directory) and
# with a PostgreSQL server that this script starts itself. For each:
#   W4     the 10 000-input echo batch job (mode=process), as bench/run.sh's W4 in one JVM: the
#          first job (cold), then W4_WARM s of jobs, then the median of W4_RUNS (warm) tasks/s
#   small  10-input echo jobs posted by SMALL_CLIENTS concurrent clients, each job followed to its
#          `done` event before the client posts the next: jobs/s and p50/p99 of a job's wall time
#   100k   a 100 000-input echo job: parts/s, median of BIG_RUNS after one warm-up job
# and prints one table, each store's figure beside the store-off figure of the same run. Target
# (issue 12): the store costs at most 20 % of W4, i.e. W4 warm with a store >= 0.8x store off.
#
# Usage: bench/store.sh                    (5-6 minutes on a 2-core machine at a load average of 30-50)
#        QUICK=1 bench/store.sh            short runs while developing: figures are rough
#        STORES="off h2" bench/store.sh    a subset (off is the reference; without it, no ratios)
#
# PostgreSQL: Debian's binaries (/usr/lib/postgresql/N/bin; apt-get install -y postgresql), a fresh
# cluster (initdb) in a temporary directory under /tmp, listening on 127.0.0.1 and a free port,
# run as the `postgres` OS user when this runs as root (PostgreSQL refuses root), with its default
# settings (fsync and synchronous_commit on, as a user would run it). It is stopped and its
# directory deleted when the script ends, however it ends; so is every JVM and the H2 directory.
#
# Knobs (environment): QUICK=1; STORES; BENCH_JAVA_OPTS (options for the gateway JVMs, default
# none); BENCH_JFR=1 (each gateway records a JFR profile, run/bench/logs/store-<store>.jfr, for
# where the time goes, not for figures); SMALL_CLIENTS (default 16); PG_OPTS (extra `postgres`
# options, e.g. "-c synchronous_commit=off"; the header shows them).
# Progress goes to stderr; the table to stdout and to run/bench/store-results-<time>.txt.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GATEWAY_JAR="$ROOT/http-gateway/target/taskgrid-gateway.jar"
OUT="$ROOT/run/bench"
LOGS="$OUT/logs"
CLASSES="$OUT/store-classes"
VALUES="$OUT/store-values"
QUICK="${QUICK:-0}"
STORES="${STORES:-off h2 pg}"
SMALL_CLIENTS="${SMALL_CLIENTS:-16}"
PG_OPTS="${PG_OPTS:-}"

if [ "$QUICK" = 1 ]; then
  W4_WARM=3 W4_RUNS=2 SMALL_WARM=2 SMALL_SECONDS=3 BIG_RUNS=1
else
  W4_WARM=20 W4_RUNS=15 SMALL_WARM=5 SMALL_SECONDS=10 BIG_RUNS=3
fi

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Helpers: the same as bench/run.sh's (that script runs its suite when sourced, so they are
# repeated here rather than shared).

pids=()

any_alive() {
  local pid
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && return 0
  done
  return 1
}

# SIGTERM lets each JVM shut down cleanly (its last flush, its JFR file); SIGKILL after 20 s.
stop_jvms() {
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 80); do
    any_alive || break
    sleep 0.25
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

jfr_opts() {
  [ "${BENCH_JFR:-0}" = 1 ] && echo "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$LOGS/$1.jfr" || true
}

wait_for() {
  local what="$1" deadline=$((SECONDS + 180)) pid
  shift
  until "$@"; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || die "a JVM exited while waiting for $what (logs in $LOGS)"
    done
    [ "$SECONDS" -lt "$deadline" ] || die "no $what within 180 s (logs in $LOGS)"
    sleep 0.25
  done
}

executors_active() {
  [ "$(curl -s --max-time 2 "$URL/v1/cluster" 2>/dev/null | grep -o '"state":"active"' | wc -l)" -ge "$1" ]
}

client() { java -cp "$CLASSES" HttpBench "$@"; }

field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }
calc() { awk "BEGIN { printf \"%.10g\", $1 }"; }
fmt2() { awk "BEGIN { printf \"%.2f\", $1 }"; }
mark() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }

# ---------------------------------------------------------------------------------------------
# PostgreSQL: started once for the run, stopped (and its directory deleted) by cleanup.

PG_DIR=""
PG_BIN=""
PG_PORT=""
DATA_ROOT=""

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ] ||
    die "PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/postgres): apt-get install -y postgresql, or STORES=\"off h2\""
  # Under /tmp: the postgres user must reach it, which a root-owned work tree may not allow.
  PG_DIR=$(mktemp -d /tmp/taskgrid-bench-pg-XXXXXX)
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user to run PostgreSQL as (it refuses root)"
    chown postgres: "$PG_DIR"
  fi
  PG_PORT=$(free_port)
  say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'): initdb in $PG_DIR, port $PG_PORT"
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$LOGS/store-pg-initdb.log" 2>&1 ||
    die "initdb failed (see $LOGS/store-pg-initdb.log)"
  # shellcheck disable=SC2086
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -h 127.0.0.1 -k $PG_DIR $PG_OPTS" start >"$LOGS/store-pg-ctl.log" 2>&1 ||
    { cp "$PG_DIR/server.log" "$LOGS/store-pg-server.log" 2>/dev/null; die "PostgreSQL did not start (see $LOGS/store-pg-server.log)"; }
  as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres taskgrid >>"$LOGS/store-pg-ctl.log" 2>&1 ||
    die "createdb failed (see $LOGS/store-pg-ctl.log)"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    local postmaster
    postmaster=$(head -1 "$PG_DIR/data/postmaster.pid")
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 20 stop >>"$LOGS/store-pg-ctl.log" 2>&1 ||
      { [ -n "$postmaster" ] && kill -KILL "$postmaster" 2>/dev/null; sleep 1; }
  fi
  cp "$PG_DIR/server.log" "$LOGS/store-pg-server.log" 2>/dev/null || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

cleanup() {
  stop_jvms
  stop_postgres
  [ -z "$DATA_ROOT" ] || rm -rf "$DATA_ROOT"
}

# ---------------------------------------------------------------------------------------------
# One gateway per store: start_gateway STORE sets URL; the JVM is the product as shipped, but for
# the store settings given through the environment, as a user gives them.

start_gateway() {
  local store="$1" http cluster data
  http=$(free_port)
  cluster=$(free_port)
  URL="http://127.0.0.1:$http"
  # A fresh data directory per gateway (an attempt after a failure starts from an empty H2 file).
  data=$(mktemp -d "$DATA_ROOT/$store-XXXXXX")
  local env_store=()
  case "$store" in
    off) env_store=(TASKGRID_STORE_ENABLED=off TASKGRID_DATA_DIR="$data") ;;
    h2) env_store=(TASKGRID_STORE_ENABLED=on TASKGRID_DATA_DIR="$data") ;;
    pg) env_store=(TASKGRID_STORE_ENABLED=on TASKGRID_DATA_DIR="$data"
          TASKGRID_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/taskgrid" TASKGRID_DB_USER=postgres TASKGRID_DB_PASSWORD=) ;;
  esac
  # shellcheck disable=SC2086
  env -u TASKGRID_DB_URL -u TASKGRID_DB_USER -u TASKGRID_DB_PASSWORD -u TASKGRID_STORE_ENABLED \
    TASKGRID_HTTP_HOST=127.0.0.1 TASKGRID_HTTP_PORT="$http" TASKGRID_CLUSTER_HOST=127.0.0.1 \
    TASKGRID_CLUSTER_PORT="$cluster" TASKGRID_ROLES=gateway,worker "${env_store[@]}" \
    java ${BENCH_JAVA_OPTS:-} $(jfr_opts "store-$store") -cp "$GATEWAY_JAR" org.taskgrid.gateway.GatewayMain \
    >"$LOGS/store-$store.log" 2>&1 &
  pids+=($!)
  wait_for "1 active executor at $URL" executors_active 1
  if [ "$store" != off ] && ! grep -q 'The job store is on' "$LOGS/store-$store.log"; then
    die "the $store gateway does not say that its job store is on (see $LOGS/store-$store.log)"
  fi
}

# measure STORE: the three workloads on a fresh gateway with that store; key=value lines into
# $VALUES/STORE.
measure() {
  local store="$1" line
  say "store $store: gateway (roles gateway,worker) starting"
  start_gateway "$store"
  : >"$VALUES/$store"
  say "store $store: W4 first job, ${W4_WARM}s of jobs, then $W4_RUNS measured"
  line=$(client batch "$URL" "@$OUT/batch-10000.json" "$W4_WARM" "$W4_RUNS") || die "W4 jobs failed ($store)"
  say "    $line"
  echo "w4 $line" >>"$VALUES/$store"
  say "store $store: 10-input jobs from $SMALL_CLIENTS clients, ${SMALL_WARM}s warm-up, ${SMALL_SECONDS}s measured"
  line=$(java -cp "$CLASSES" JobRate "$URL" "@$OUT/batch-10.json" "$SMALL_CLIENTS" "$SMALL_WARM" "$SMALL_SECONDS") ||
    die "small jobs failed ($store)"
  say "    $line"
  echo "small $line" >>"$VALUES/$store"
  say "store $store: 100 000-input job, one warm-up then $BIG_RUNS measured"
  client job "$URL" "@$OUT/batch-100000.json" >/dev/null || die "100k job failed ($store)"
  line=$(client jobs "$URL" "@$OUT/batch-100000.json" "$BIG_RUNS") || die "100k jobs failed ($store)"
  say "    $line"
  echo "big $line pps=$(calc "int(100000 / $(field "$line" medians))")" >>"$VALUES/$store"
  stop_jvms
}

# value STORE KIND KEY: a figure measured for STORE (empty when none).
value() {
  [ -f "$VALUES/$1" ] || return 0
  field "$(grep "^$2 " "$VALUES/$1")" "$3"
}

store_name() {
  case "$1" in
    off) echo "off (memory)" ;;
    h2) echo "H2 file" ;;
    pg) echo "PostgreSQL" ;;
  esac
}

# rows: one tab-separated line per figure and store.
rows() {
  local store ref v ratio target okmark
  # figure kind key format target(awk condition on the ratio, or empty)
  while IFS='|' read -r label kind key target; do
    ref=$(value off "$kind" "$key")
    for store in $STORES; do
      if [ ! -f "$VALUES/$store" ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(store_name "$store")" "FAILED" "" "" "" "ERROR"
        continue
      fi
      v=$(value "$store" "$kind" "$key")
      ratio="" okmark="-"
      if [ "$store" != off ] && [ -n "$ref" ] && [ -n "$v" ]; then
        ratio="$(fmt2 "$v / $ref")x"
        [ -n "$target" ] && okmark=$(mark "$v / $ref $target")
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(store_name "$store")" "$v" \
        "$([ "$store" = off ] || echo "${ref:-?}")" "$ratio" "$([ "$store" != off ] && [ -n "$target" ] && echo "${target}x")" "$okmark"
    done
  done <<EOF
W4 10k echo job (process), warm: tasks/s, median of $W4_RUNS|w4|warmtps|>= 0.8
W4 10k echo job, cold (first job): tasks/s|w4|coldtps|
10-input jobs, $SMALL_CLIENTS clients, ${SMALL_SECONDS}s: jobs/s|small|jps|
  p50 of a 10-input job's wall time, ms|small|p50ms|
  p99, ms|small|p99ms|
100k-input echo job: parts/s, median of $BIG_RUNS|big|pps|
EOF
}

print_table() {
  { printf 'figure\tstore\tvalue\tstore off (same run)\tratio\ttarget\tmark\n'; rows; } | awk -F'\t' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > width[i]) width[i] = length($i) } rows = NR }
    END {
      for (r = 1; r <= rows; r++) {
        line = ""
        for (i = 1; i <= 7; i++) line = line sprintf("%-" width[i] "s", cell[r, i]) (i < 7 ? "  " : "")
        sub(/ +$/, "", line); print line
        if (r == 1) { rule = ""; for (i = 1; i <= 7; i++) { s = sprintf("%" width[i] "s", ""); gsub(/ /, "-", s); rule = rule s (i < 7 ? "  " : "") } print rule }
      }
    }'
}

# run_store STORE: measure in a subshell, its JVM stopped however it ends; once more on failure.
run_store() {
  local store="$1"
  if ! ( trap stop_jvms EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; set -e; measure "$store" ); then
    say "store $store failed; once more with a fresh gateway (the messages above say why)"
    rm -f "$VALUES/$store"
    ( trap stop_jvms EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; set -e; measure "$store" ) || rm -f "$VALUES/$store"
  fi
}

main() {
  case "${1:-}" in
    -h|--help) sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "bench/store.sh takes no arguments (see --help)" >&2; exit 2 ;;
  esac
  local store
  for store in $STORES; do
    case "$store" in off|h2|pg) ;; *) die "STORES: off, h2 or pg, not '$store'" ;; esac
  done
  command -v java >/dev/null || die "bench/store.sh needs a JDK 17+ on the PATH"
  command -v curl >/dev/null || die "bench/store.sh needs curl"
  mkdir -p "$LOGS" "$CLASSES" "$VALUES"
  DATA_ROOT=$(mktemp -d /tmp/taskgrid-bench-data-XXXXXX)
  rm -f "$VALUES"/*
  say "building the jars if stale (bin/taskgrid build)"
  "$ROOT/bin/taskgrid" build >"$LOGS/store-build.log" 2>&1 || die "build failed (see $LOGS/store-build.log)"
  javac -nowarn -d "$CLASSES" "$ROOT/bench/HttpBench.java" "$ROOT/bench/JobRate.java" >"$LOGS/store-javac.log" 2>&1 ||
    die "javac failed (see $LOGS/store-javac.log)"
  local n
  for n in 10 10000 100000; do
    # W4's body ({"i":n} inputs) for 10 and 10 000; plain numbers for 100 000, so that the body
    # stays under the gateway's max-body-size (1 MiB).
    awk -v n="$n" 'BEGIN { printf "{\"task\":\"echo\",\"mode\":\"process\",\"inputs\":["
                            for (i = 0; i < n; i++) printf "%s", (i ? "," : "") (n > 10000 ? i : "{\"i\":" i "}")
                            print "]}" }' >"$OUT/batch-$n.json"
  done

  local started=$SECONDS load pg_version=""
  load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
  if [[ " $STORES " == *" pg "* ]]; then
    start_postgres
    pg_version=$("$PG_BIN/postgres" --version | awk '{print $3}')
  fi
  for store in $STORES; do
    local t0=$SECONDS
    run_store "$store"
    say "store $store took $((SECONDS - t0)) s"
  done
  stop_postgres

  local stamp table
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  table=$(
    echo "taskgrid bench/store.sh (STORES=\"$STORES\")$([ "$QUICK" = 1 ] && echo " (QUICK=1)"), $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo '+changes')"
    echo "$(java -version 2>&1 | head -1)${pg_version:+; PostgreSQL $pg_version (defaults${PG_OPTS:+ + $PG_OPTS}), H2 as bundled; one gateway JVM (roles gateway,worker) per store}"
    echo "$(nproc) cores shared by the gateway, the database and the client; load average at start $load, at end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); took $((SECONDS - started)) s${BENCH_JAVA_OPTS:+; BENCH_JAVA_OPTS=$BENCH_JAVA_OPTS}"
    echo
    print_table
  )
  printf '%s\n' "$table" | tee "$OUT/store-results-$stamp.txt"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# On one line: bash reads it whole, so editing this file during a run cannot change what runs next.
main "$@"; exit $?
