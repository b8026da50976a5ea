#!/usr/bin/env bash
# Figures of the Cluster issue, on this machine's loopback:
#  1. round trip of a tiny process task (echo) to a worker JVM, p50/p99, beside the same task
#     run in-process (a gateway that is its own worker);
#  2. throughput of 64 primes parts with 1 worker and with 2 workers.
# Usage: bench/cluster.sh [calls]   (builds the jars first if needed; prints figures; stops all)
set -euo pipefail
CALLS="${1:-2000}"
PRIMES_TO="${PRIMES_TO:-200000000}"
HTTP_PORT=18080
CLUSTER_PORT=25620
LOG_PREFIX=cluster
# shellcheck source=bench/nodes.sh
source "$(dirname "${BASH_SOURCE[0]}")/nodes.sh"

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
