#!/usr/bin/env bash
# The performance suite of issue 8: five workloads against real taskgrid JVMs on loopback, each
# figure beside a reference measured in the same run on the same machine, and the issue's target.
#
# Usage: bench/run.sh [W1 W2 W3 W4 W5]     (no argument: all five, in under 10 minutes)
#        QUICK=1 bench/run.sh ...          short runs for development: figures are rough
#
# Builds the jars when stale (bin/taskgrid build), compiles the bench client and the reference
# programs of bench/reference/ into run/bench/ (they are no part of the product build), installs
# wrk from Debian when missing, and stops every JVM it started when it ends, however it ends.
# Progress goes to stderr; the table to stdout and to run/bench/results-<time>.txt. JVM logs are
# in run/bench/logs/. See bench/README.md for what each figure means.
#
# Knobs (environment): QUICK=1; BENCH_JAVA_OPTS (options for every taskgrid JVM, default none:
# the product as shipped); PRIMES_TO (W3's range [0, PRIMES_TO), instead of calibrating one where
# a single thread takes about 5 s); BENCH_JFR=1 (each taskgrid JVM records a JFR profile,
# run/bench/logs/<jvm>.jfr, written when the JVM stops; for where the time goes, not for figures);
# BENCH_JARS=DIR (run the fat jars in DIR, e.g. a saved older build, instead of building).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# BENCH_JARS=DIR: the fat jars of DIR instead (say, a copy of an older build, to compare two builds
# on the same busy machine one after the other); nothing is built then.
GATEWAY_JAR="${BENCH_JARS:-$ROOT/http-gateway/target}/taskgrid-gateway.jar"
WORKER_JAR="${BENCH_JARS:-$ROOT/worker-node/target}/taskgrid-worker.jar"
OUT="$ROOT/run/bench"
LOGS="$OUT/logs"
CLASSES="$OUT/classes"
RESULTS="$OUT/rows.tsv"
QUICK="${QUICK:-0}"

# Durations and counts: the full run, or short ones with QUICK=1.
if [ "$QUICK" = 1 ]; then
  W1_WARM=2 W1_SECONDS=3
  W2_WARM=2 W2_SECONDS=4
  W3_RUNS=1 W3_TARGET_MS=1500
  W4_WARM=3 W4_RUNS=2
  W5_WARM=2 W5_CALLS=1000
else
  W1_WARM=8 W1_SECONDS=10
  W2_WARM=5 W2_SECONDS=15
  W3_RUNS=3 W3_TARGET_MS=5000
  W4_WARM=20 W4_RUNS=15
  W5_WARM=8 W5_CALLS=5000
fi

say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# JVMs: every one started is remembered and stopped by stop_jvms (on exit of each workload's
# subshell and of the script).

pids=()

any_alive() {
  local pid
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && return 0
  done
  return 1
}

# SIGTERM lets each JVM shut down cleanly (and write its JFR file); SIGKILL after 20 s.
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

# jfr_opts NAME: the JVM option that records NAME's JFR profile when BENCH_JFR=1.
jfr_opts() {
  [ "${BENCH_JFR:-0}" = 1 ] && echo "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$LOGS/$1.jfr" || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# start_gateway NAME ROLES [JVM OPTION...]: a gateway JVM from the fat jar; sets HTTP_PORT,
# CLUSTER_PORT, URL. Its job store is the embedded default (H2 in a file), in a fresh directory.
start_gateway() {
  local name="$1" roles="$2"
  shift 2
  HTTP_PORT=$(free_port)
  CLUSTER_PORT=$(free_port)
  URL="http://127.0.0.1:$HTTP_PORT"
  rm -rf "$OUT/data/$name"
  # shellcheck disable=SC2086
  env TASKGRID_HTTP_HOST=127.0.0.1 TASKGRID_HTTP_PORT="$HTTP_PORT" TASKGRID_CLUSTER_HOST=127.0.0.1 \
    TASKGRID_CLUSTER_PORT="$CLUSTER_PORT" TASKGRID_ROLES="$roles" TASKGRID_DATA_DIR="$OUT/data/$name" \
    java ${BENCH_JAVA_OPTS:-} $(jfr_opts "$name") "$@" -cp "$GATEWAY_JAR" org.taskgrid.gateway.GatewayMain >"$LOGS/$name.log" 2>&1 &
  pids+=($!)
}

# start_worker NAME: a worker JVM that joins the last gateway started.
start_worker() {
  # shellcheck disable=SC2086
  env -u TASKGRID_ROLES TASKGRID_CLUSTER_HOST=127.0.0.1 TASKGRID_SEED_NODES="127.0.0.1:$CLUSTER_PORT" \
    java ${BENCH_JAVA_OPTS:-} $(jfr_opts "$1") -cp "$WORKER_JAR" org.taskgrid.worker.WorkerMain >"$LOGS/$1.log" 2>&1 &
  pids+=($!)
}

# start_reference NAME CLASS ARGS...: a reference program of bench/reference/.
start_reference() {
  local name="$1"
  shift
  java -cp "$GATEWAY_JAR:$CLASSES" "$@" >"$LOGS/$name.log" 2>&1 &
  pids+=($!)
}

# wait_for WHAT CHECK...: runs CHECK until it succeeds; fails after 180 s (a busy 2-core machine
# starts a JVM slowly), or at once when a JVM this workload started has exited (its log says why).
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

# executors_active N: the gateway's /v1/cluster shows at least N active executors.
executors_active() {
  [ "$(curl -s --max-time 2 "$URL/v1/cluster" 2>/dev/null | grep -o '"state":"active"' | wc -l)" -ge "$1" ]
}

wait_executors() { wait_for "$1 active executor(s) at $URL" executors_active "$1"; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { wait_for "a listener on port $1" listening "$1"; }

client() { java -cp "$CLASSES" HttpBench "$@"; }

# field LINE KEY: the value of KEY=value in a line of key=value pairs.
field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }

# calc EXPR: floating-point arithmetic (awk), printed with up to 10 significant digits.
calc() { awk "BEGIN { printf \"%.10g\", $1 }"; }

# fmt2 EXPR: a figure with two decimals.
fmt2() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# mark OK: PASS or MISS, from an awk condition.
mark() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }

# row WORKLOAD FIGURE TASKGRID REFERENCE RATIO TARGET MARK: one line of the table.
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# wrk_run SECONDS CONNECTIONS URL BODY: runs wrk -t2 with the POST script; prints its WRK line.
wrk_run() {
  local seconds="$1" connections="$2" url="$3" body="$4" out
  out=$(WRK_BODY="$body" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$ROOT/bench/wrk/post.lua" "$url" 2>&1)
  printf '%s\n' "$out" | sed 's/^/    wrk| /' >&2
  grep '^WRK ' <<<"$out" || die "wrk printed no summary"
}

# ok_rps WRKLINE: answers below 400 per second.
ok_rps() {
  local line="$1"
  calc "($(field "$line" requests) - $(field "$line" status)) / ($(field "$line" duration_us) / 1e6)"
}

socket_errors() {
  local line="$1"
  echo $(($(field "$line" connect) + $(field "$line" read) + $(field "$line" write) + $(field "$line" timeout)))
}

# ---------------------------------------------------------------------------------------------
# W1: POST /v1/tasks/echo at wrk -t2 -c64, beside a bare Akka HTTP server doing the least a POST
# server can (bench/reference/BareHttpServer.java). Each server alone on the machine: warm-up,
# then the measured run.

w1() {
  local body='{"hello":"world"}' port line ref tg
  say "W1 reference: bare Akka HTTP 10.2.10 (warm-up ${W1_WARM}s, measure ${W1_SECONDS}s)"
  port=$(free_port)
  start_reference w1-bare-http BareHttpServer "$port"
  wait_port "$port"
  wrk_run "$W1_WARM" 64 "http://127.0.0.1:$port/v1/tasks/echo" "$body" >/dev/null
  line=$(wrk_run "$W1_SECONDS" 64 "http://127.0.0.1:$port/v1/tasks/echo" "$body")
  ref=$(ok_rps "$line")
  awk "BEGIN { exit !($ref > 0) }" || die "W1: the bare Akka HTTP server answered nothing"
  local ref_errors=$(($(socket_errors "$line") + $(field "$line" status)))
  stop_jvms

  say "W1 taskgrid: one gateway (roles gateway,worker), POST /v1/tasks/echo"
  start_gateway w1-gateway gateway,worker
  wait_executors 1
  wrk_run "$W1_WARM" 64 "$URL/v1/tasks/echo" "$body" >/dev/null
  line=$(wrk_run "$W1_SECONDS" 64 "$URL/v1/tasks/echo" "$body")
  tg=$(ok_rps "$line")
  stop_jvms
  local ratio errors
  ratio=$(calc "$tg / $ref")
  errors="$(socket_errors "$line") socket errors, $(field "$line" status) non-2xx"
  row W1 "echo, wrk -t2 -c64: req/s ($errors)" "$(calc "int($tg)")" "bare Akka HTTP $(calc "int($ref)")$([ "$ref_errors" -gt 0 ] && echo " ($ref_errors errors)")" \
    "$(fmt2 "$ratio")x" ">= 0.8x" "$(mark "$ratio >= 0.8")"
}

# ---------------------------------------------------------------------------------------------
# W2: POST /v1/tasks/sleep?mode=async {"millis":100} at 1 000 connections (wrk -t2 -c1000,
# wrk's default 2 s socket timeout). Ideal: 1 000 connections / 0.1 s = 10 000 req/s; beside it
# what bare Akka HTTP does with the same load (BareHttpServer answers /v1/tasks/sleep after the
# body's millis, from the scheduler), to show what this machine and wrk allow.

# w2_measure URL: warm-up run, a pause for its connections to close, then the measured run.
w2_measure() {
  wrk_run "$W2_WARM" 1000 "$1" '{"millis":100}' >/dev/null
  sleep 2
  wrk_run "$W2_SECONDS" 1000 "$1" '{"millis":100}'
}

w2() {
  local need=2200 port line ref tg p99 errors status refp99 referrors
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
    die "W2 needs ulimit -n >= $need for 1000 connections on each side (is $(ulimit -n); hard limit $(ulimit -Hn))"
  fi
  say "W2 reference: bare Akka HTTP, 100 ms sleeps from the scheduler at 1000 connections (ulimit -n $(ulimit -n))"
  port=$(free_port)
  start_reference w2-bare-http BareHttpServer "$port"
  wait_port "$port"
  line=$(w2_measure "http://127.0.0.1:$port/v1/tasks/sleep")
  stop_jvms
  ref=$(ok_rps "$line")
  refp99=$(calc "int($(field "$line" p99us) / 1000 + 0.5)")
  referrors=$(socket_errors "$line")

  say "W2 taskgrid: one gateway, async sleeps of 100 ms at 1000 connections"
  start_gateway w2-gateway gateway,worker
  wait_executors 1
  line=$(w2_measure "$URL/v1/tasks/sleep?mode=async")
  stop_jvms
  tg=$(ok_rps "$line")
  p99=$(calc "$(field "$line" p99us) / 1000")
  errors=$(socket_errors "$line")
  status=$(field "$line" status)
  local answers=$(($(field "$line" requests) - status))
  row W2 "async sleep 100 ms, wrk -t2 -c1000: ok req/s ($answers answers in ${W2_SECONDS}s)" "$(calc "int($tg)")" \
    "ideal 10000; bare Akka HTTP $(calc "int($ref)")" "$(fmt2 "$tg / 10000")x" \
    ">= 9000 req/s" "$(mark "$tg >= 9000")"
  # wrk counts a socket timeout only when a late answer arrives: with no answer at all, its
  # latency and error counts are empty, so they must not read as a pass.
  if [ "$answers" -eq 0 ]; then
    row W2 "  p99 latency of answers" "no answer" "ideal 100; bare $refp99 ms" "" "<= 200 ms" MISS
    row W2 "  socket errors (connect/read/write/timeout)" "$errors, but no answer came back" \
      "bare $referrors" "" "0" MISS
  else
    row W2 "  p99 latency of answers" "$(calc "int($p99 + 0.5)") ms" "ideal 100; bare $refp99 ms" "" "<= 200 ms" \
      "$(mark "$p99 <= 200")"
    row W2 "  socket errors (connect/read/write/timeout)" \
      "$errors ($(field "$line" connect)/$(field "$line" read)/$(field "$line" write)/$(field "$line" timeout))" \
      "bare $referrors" "" "0" "$(mark "$errors == 0")"
  fi
  row W2 "  answers >= 400 (e.g. 503 overloaded)" "$status" "" "" "(not counted in req/s)" "-"
}

# ---------------------------------------------------------------------------------------------
# W3: a primes job over 2 worker JVMs (gateway role gateway only) in 64 and in 1 024 parts,
# beside the same count on one thread: one mode=thread call of the whole range, which runs on
# the gateway's blocking pool while the workers idle. Each the median of W3_RUNS runs, after a
# warm-up run of each. efficiency = T1 / (2 x T).

w3() {
  local to line t1 t64 t1024 result1 result
  say "W3 cluster: gateway (role gateway) + 2 workers"
  # The single-thread call spans the whole range: on a fast machine, 4-6 s of sieving may need
  # more than the default widest range (10^9), a documented setting. The job's parts are far
  # narrower, so the workers keep their defaults.
  start_gateway w3-gateway gateway -Dtaskgrid.tasks.primes.max-range=1000000000000
  start_worker w3-worker-1
  start_worker w3-worker-2
  wait_executors 2
  local thread="$URL/v1/tasks/primes?mode=thread&timeout=5m"
  if [ -n "${PRIMES_TO:-}" ]; then
    to="$PRIMES_TO"
  else
    # Calibrate: warm the sieve up on the gateway, time [0, 10^8) on one thread, scale to the
    # target (the sieve's time grows about linearly here), between 10^6 and 6.4 x 10^10 (64
    # parts of at most 10^9 each, the widest range a worker takes by default).
    # On a busy machine the JIT compiler threads get little CPU: the sieve runs on slower code
    # for its first seconds. Warm it up longer and take the median of 3 timings, or the range
    # comes out far too short (single thread 2.4-2.6 s instead of 5 s).
    client call "$thread" '{"from":0,"to":100000000}' 3 >/dev/null || die "W3 calibration failed"
    line=$(client call "$thread" '{"from":0,"to":100000000}' 3) || die "W3 calibration failed"
    to=$(calc "int(1e8 * $W3_TARGET_MS / $(field "$line" medianms) / 1e6) * 1e6")
    to=$(awk "BEGIN { t = $to; if (t > 6.4e10) t = 6.4e10; if (t < 1e6) t = 1e6; printf \"%.0f\", t }")
  fi
  say "W3 range [0, $to): one thread, $W3_RUNS run(s) after a warm-up"
  client call "$thread" '{"from":0,"to":'"$to"'}' 1 >/dev/null || die "W3 single-thread call failed"
  line=$(client call "$thread" '{"from":0,"to":'"$to"'}' "$W3_RUNS") || die "W3 single-thread call failed"
  say "    $line"
  t1=$(calc "$(field "$line" medianms) / 1000")
  result1=$(field "$line" result)
  local parts t
  for parts in 64 1024; do
    local job='{"task":"primes","input":{"from":0,"to":'"$to"'},"parts":'"$parts"',"mode":"process"}'
    say "W3 $parts parts over 2 workers: $W3_RUNS run(s) after a warm-up"
    client jobs "$URL" "$job" 1 >/dev/null || die "W3 $parts-part job failed"
    line=$(client jobs "$URL" "$job" "$W3_RUNS") || die "W3 $parts-part job failed"
    say "    $line"
    result=$(field "$line" result)
    [ "$result" = "$result1" ] || die "W3 $parts parts counted $result primes, one thread $result1"
    t=$(field "$line" medians)
    if [ "$parts" = 64 ]; then t64=$t; else t1024=$t; fi
  done
  stop_jvms
  local e64 e1024 runs="median of $W3_RUNS"
  e64=$(calc "$t1 / (2 * $t64)")
  e1024=$(calc "$t1 / (2 * $t1024)")
  row W3 "primes [0, $to) on one thread (mode=thread), $runs" "$(fmt2 "$t1") s" "" "" \
    "4-6 s (range check)" "$(if awk "BEGIN { exit !($t1 >= 4 && $t1 <= 6) }"; then echo ok; else echo OUT; fi)"
  row W3 "  64 parts over 2 workers, $runs: efficiency" "$(fmt2 "$t64") s" \
    "1 thread $(fmt2 "$t1") s" "$(fmt2 "$e64")" ">= 0.9" "$(mark "$e64 >= 0.9")"
  row W3 "  1024 parts over 2 workers, $runs: efficiency" "$(fmt2 "$t1024") s" \
    "1 thread $(fmt2 "$t1") s" "$(fmt2 "$e1024")" ">= 0.85" "$(mark "$e1024 >= 0.85")"
}

# ---------------------------------------------------------------------------------------------
# W4: the 10 000-input echo batch job, mode=process: tasks/s in one JVM (the gateway is its own
# worker) and across 2 worker JVMs (gateway role gateway only). Cold: the first job after the
# node(s) report ready. Warm: the median of W4_RUNS jobs after W4_WARM seconds of such jobs.

w4() {
  local batch="$OUT/batch-10000.json" one two
  awk 'BEGIN { printf "{\"task\":\"echo\",\"mode\":\"process\",\"inputs\":["
               for (i = 0; i < 10000; i++) printf "%s{\"i\":%d}", (i ? "," : ""), i
               print "]}" }' >"$batch"
  say "W4 one JVM (roles gateway,worker): first job, ${W4_WARM}s of jobs, then $W4_RUNS measured"
  start_gateway w4-gateway-1jvm gateway,worker
  wait_executors 1
  one=$(client batch "$URL" "@$batch" "$W4_WARM" "$W4_RUNS") || die "W4 one-JVM jobs failed"
  say "    $one"
  stop_jvms
  say "W4 gateway (role gateway) + 2 workers: first job, ${W4_WARM}s of jobs, then $W4_RUNS measured"
  start_gateway w4-gateway-2w gateway
  start_worker w4-worker-1
  start_worker w4-worker-2
  wait_executors 2
  two=$(client batch "$URL" "@$batch" "$W4_WARM" "$W4_RUNS") || die "W4 two-worker jobs failed"
  say "    $two"
  stop_jvms
  local w1 w2 c1 c2 ratio runs="median of $W4_RUNS"
  w1=$(field "$one" warmtps) w2=$(field "$two" warmtps) c1=$(field "$one" coldtps) c2=$(field "$two" coldtps)
  ratio=$(calc "$w2 / $w1")
  row W4 "10k echo job (process), 1 JVM warm: tasks/s, $runs" "$w1" "" "" ">= 70000" "$(mark "$w1 >= 70000")"
  row W4 "  2 worker JVMs warm: tasks/s, $runs" "$w2" "1 JVM $w1" "$(fmt2 "$ratio")x" \
    ">= 0.5x" "$(mark "$ratio >= 0.5")"
  row W4 "  1 JVM cold (first job after start)" "$c1" "" "" "" "-"
  row W4 "  2 worker JVMs cold (first job after start)" "$c2" "1 JVM cold $c1" "" ">= 15000" "$(mark "$c2 >= 15000")"
}

# ---------------------------------------------------------------------------------------------
# W5: a tiny process echo to a worker JVM on one connection, sequential calls: p50 and p99,
# beside a bare Akka HTTP round trip (bench/reference/BareHttpServer.java, same client, same
# body) and a bare Artery ask between two JVMs (bench/reference/BareArteryEcho.java, TCP as in
# taskgrid). Target: p50 <= 1.5 x (bare HTTP p50 + bare Artery p50), p99 <= 2 ms.

w5() {
  local body='{"n":1}' port line http artery tg
  say "W5 reference: bare Akka HTTP round trip, $W5_CALLS calls after ${W5_WARM}s of calls"
  port=$(free_port)
  start_reference w5-bare-http BareHttpServer "$port"
  wait_port "$port"
  http=$(client latency "http://127.0.0.1:$port/v1/tasks/echo" "$body" "$W5_CALLS" "${W5_WARM}s") || die "W5 bare HTTP failed"
  say "    $http"
  stop_jvms
  say "W5 reference: bare Artery ask between two JVMs, $W5_CALLS asks after ${W5_WARM}s of asks"
  port=$(free_port)
  start_reference w5-bare-artery BareArteryEcho serve "$port"
  wait_port "$port"
  artery=$(java -cp "$GATEWAY_JAR:$CLASSES" BareArteryEcho ask "$port" "$W5_WARM" "$W5_CALLS" 2>>"$LOGS/w5-bare-artery-client.log" |
    grep '^asks=') || die "W5 bare Artery failed"
  say "    $artery"
  stop_jvms
  say "W5 taskgrid: gateway (role gateway) + 1 worker, process echo, $W5_CALLS calls after ${W5_WARM}s of calls"
  start_gateway w5-gateway gateway
  start_worker w5-worker-1
  wait_executors 1
  tg=$(client latency "$URL/v1/tasks/echo?mode=process" "$body" "$W5_CALLS" "${W5_WARM}s") || die "W5 process echo failed"
  say "    $tg"
  stop_jvms
  local sum p50 p99 ratio
  sum=$(calc "$(field "$http" p50us) + $(field "$artery" p50us)")
  p50=$(field "$tg" p50us) p99=$(field "$tg" p99us)
  ratio=$(calc "$p50 / $sum")
  row W5 "process echo to a worker, 1 connection: p50" "$p50 us" \
    "HTTP $(field "$http" p50us) + Artery $(field "$artery" p50us) = $sum us" \
    "$(fmt2 "$ratio")x" "<= 1.5x" "$(mark "$ratio <= 1.5")"
  row W5 "  p99" "$p99 us" "HTTP $(field "$http" p99us), Artery $(field "$artery" p99us) us" "" "<= 2000 us" \
    "$(mark "$p99 <= 2000")"
}

# ---------------------------------------------------------------------------------------------

print_table() {
  local header="workload\tfigure\ttaskgrid\treference (same run)\tratio\ttarget\tmark"
  { printf '%b\n' "$header"; cat "$RESULTS"; } | awk -F'\t' '
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

# run_workload W: one workload in a subshell; its JVMs stop when it ends, however it ends.
run_workload() {
  ( trap stop_jvms EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; set -e; "${1,,}" )
}

main() {
  local selected=() w
  for w in "$@"; do
    case "$w" in
      W1|W2|W3|W4|W5|w1|w2|w3|w4|w5) selected+=("${w^^}") ;;
      -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "unknown workload '$w' (W1 to W5)" >&2; exit 2 ;;
    esac
  done
  [ ${#selected[@]} -eq 0 ] && selected=(W1 W2 W3 W4 W5)

  command -v java >/dev/null || die "bench/run.sh needs a JDK 17+ on the PATH"
  command -v curl >/dev/null || die "bench/run.sh needs curl"
  if ! command -v wrk >/dev/null; then
    say "installing wrk (apt-get install -y wrk)"
    { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >"$OUT.wrk-install.log" 2>&1 ||
      command -v wrk >/dev/null || die "could not install wrk (see $OUT.wrk-install.log)"
  fi
  mkdir -p "$LOGS" "$CLASSES"
  # W2 holds 1 000 connections on each side of loopback: raise the soft limit to the hard one.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [ -n "${BENCH_JARS:-}" ]; then
    say "using the jars of $BENCH_JARS (BENCH_JARS): nothing built"
  else
    say "building the jars if stale (bin/taskgrid build)"
    "$ROOT/bin/taskgrid" build >"$LOGS/build.log" 2>&1 || die "build failed (see $LOGS/build.log)"
  fi
  say "compiling the bench client and the references of bench/reference/ into $CLASSES"
  javac -nowarn -d "$CLASSES" "$ROOT/bench/HttpBench.java" >"$LOGS/javac.log" 2>&1 &&
    javac -nowarn -d "$CLASSES" -cp "$GATEWAY_JAR" "$ROOT"/bench/reference/*.java >>"$LOGS/javac.log" 2>&1 ||
    die "javac failed (see $LOGS/javac.log)"

  : >"$RESULTS"
  local started=$SECONDS load
  load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
  for w in "${selected[@]}"; do
    local t0=$SECONDS
    # Each workload in a subshell: its JVMs stop when it ends, whether it succeeds or fails. On a
    # busy machine a JVM may fail to start (Artery's bind times out after 3 s): one more attempt,
    # with fresh JVMs, and the table says so.
    if ! run_workload "$w"; then
      say "$w failed; trying it once more with fresh JVMs (the messages above say why)"
      if run_workload "$w"; then
        row "$w" "  (the first attempt failed, see stderr; these figures are from the second)" "" "" "" "" "-"
      else
        row "$w" "FAILED twice: see the messages above and $LOGS/" "" "" "" "" "ERROR"
      fi
    fi
    say "$w took $((SECONDS - t0)) s"
  done

  local stamp table
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  table=$(
    echo "taskgrid bench/run.sh ${*:-(all: W1-W5)}$([ "$QUICK" = 1 ] && echo " (QUICK=1)"), $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo '+changes')"
    echo "$(java -version 2>&1 | head -1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "$(nproc) cores shared by every JVM and the load generator; ulimit -n $(ulimit -n); load average at start $load, at end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); took $((SECONDS - started)) s${BENCH_JAVA_OPTS:+; BENCH_JAVA_OPTS=$BENCH_JAVA_OPTS}${BENCH_JARS:+; jars of BENCH_JARS=$BENCH_JARS}"
    echo
    print_table
  )
  printf '%s\n' "$table" | tee "$OUT/results-$stamp.txt"
}

trap stop_jvms EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# On one line: bash reads it whole, so editing this file during a run cannot change what runs next.
main "$@"; exit $?
