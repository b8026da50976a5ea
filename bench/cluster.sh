#!/usr/bin/env bash
# Figures of the Cluster issue, on this machine's loopback:
#  1. round trip of a tiny process task (echo) to a worker JVM, p50/p99, beside the same task
#     run in-process (a gateway that is its own worker);
#  2. throughput of 64 primes parts with 1 worker and with 2 workers.
# Usage: bench/cluster.sh [calls]   (builds the jars first if needed; prints figures; stops all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CALLS="${1:-2000}"
PRIMES_TO="${PRIMES_TO:-200000000}"
"$ROOT/bin/taskgrid" build >/dev/null
GATEWAY_JAR="$ROOT/http-gateway/target/taskgrid-gateway.jar"
WORKER_JAR="$ROOT/worker-node/target/taskgrid-worker.jar"
LOGS="$ROOT/run/bench"
mkdir -p "$LOGS"
HTTP_PORT=18080
CLUSTER_PORT=25620
URL="http://127.0.0.1:$HTTP_PORT"
pids=()

stop_all() {
  [ ${#pids[@]} -eq 0 ] && return
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "${pids[@]}" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
}
trap stop_all EXIT

start_gateway() { # roles
  TASKGRID_ROLES="$1" TASKGRID_HTTP_PORT=$HTTP_PORT TASKGRID_CLUSTER_PORT=$CLUSTER_PORT \
    java -jar "$GATEWAY_JAR" >"$LOGS/gateway.log" 2>&1 &
  pids+=($!)
}

start_worker() { # n
  TASKGRID_SEED_NODES=127.0.0.1:$CLUSTER_PORT java -jar "$WORKER_JAR" >"$LOGS/worker-$1.log" 2>&1 &
  pids+=($!)
}

wait_executors() { # count
  for _ in $(seq 1 120); do
    local n
    n=$(curl -s "$URL/v1/cluster" 2>/dev/null | grep -o '"state":"active"' | wc -l || true)
    [ "$n" -ge "$1" ] && return 0
    sleep 0.5
  done
  echo "timed out waiting for $1 executor(s)" >&2
  exit 1
}

bench() { java "$ROOT/bench/HttpBench.java" "$@"; }

echo "== process echo, in-process (gateway is its own worker), $CALLS calls"
start_gateway gateway,worker
wait_executors 1
bench latency "$URL/v1/tasks/echo?mode=process" '{"n":1}' "$CALLS"
echo "== 64 primes parts below $PRIMES_TO, in-process (gateway is its own worker)"
bench primes "$URL/v1/tasks/primes" 64 "$PRIMES_TO" 64
stop_all

echo "== process echo to a worker JVM over Artery, $CALLS calls"
start_gateway gateway
start_worker 1
wait_executors 1
bench latency "$URL/v1/tasks/echo?mode=process" '{"n":1}' "$CALLS"
echo "== 64 primes parts below $PRIMES_TO, 1 worker"
bench primes "$URL/v1/tasks/primes" 64 "$PRIMES_TO" 64
start_worker 2
wait_executors 2
echo "== 64 primes parts below $PRIMES_TO, 2 workers"
bench primes "$URL/v1/tasks/primes" 64 "$PRIMES_TO" 64
echo "(cores on this machine: $(nproc); gateway and workers share them)"
