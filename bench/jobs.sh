#!/usr/bin/env bash
# Figures of the Jobs issue, on this machine's loopback:
#  1. 10 000 tiny tasks (process-mode echo) as one batch job: tasks per second in one JVM (the
#     gateway is its own worker) and with 2 worker JVMs behind a gateway-only node;
#  2. primes below PRIMES_TO (5 000 000) in 64 parts over 2 workers: wall time, beside a
#     single-threaded run of the same count in one JVM (thread mode, one part). The ideal on 2
#     cores is half. Below 5 000 000 the sieve takes milliseconds, so the job's own costs show;
#     PRIMES_TO=1000000000 bench/jobs.sh shows the split paying off.
# Usage: bench/jobs.sh   (builds the jars first if needed; prints figures; stops all it started)
set -euo pipefail
HTTP_PORT=18081
CLUSTER_PORT=25621
LOG_PREFIX=jobs
# shellcheck source=bench/nodes.sh
source "$(dirname "${BASH_SOURCE[0]}")/nodes.sh"

BATCH="$LOGS/batch.json"
python3 -c 'import json; print(json.dumps({"task":"echo","mode":"process","inputs":[{"i":i} for i in range(10000)]}))' >"$BATCH" 2>/dev/null ||
  { printf '{"task":"echo","mode":"process","inputs":['; for i in $(seq 0 9999); do printf '%s{"i":%d}' "$([ "$i" -gt 0 ] && echo ,)" "$i"; done; printf ']}\n'; } >"$BATCH"
PRIMES_TO="${PRIMES_TO:-5000000}"
PRIMES='{"task":"primes","input":{"from":0,"to":'"$PRIMES_TO"'},"parts":64,"mode":"process"}'

echo "== 10 000 echo tasks as one job, one JVM (warm-up run, then measured)"
start_gateway gateway,worker
wait_executors 1
bench job "$URL" "@$BATCH" >/dev/null
bench job "$URL" "@$BATCH"
echo "== primes below $PRIMES_TO, one part on one thread, one JVM (warm-up, then measured)"
curl -s -XPOST "$URL/v1/tasks/primes?mode=thread" -d '{"from":0,"to":'"$PRIMES_TO"'}' >/dev/null
curl -s -XPOST "$URL/v1/tasks/primes?mode=thread" -d '{"from":0,"to":'"$PRIMES_TO"'}'; echo
stop_all

echo "== 10 000 echo tasks as one job, 2 workers (warm-up run, then measured)"
start_gateway gateway
start_worker 1
start_worker 2
wait_executors 2
bench job "$URL" "@$BATCH" >/dev/null
bench job "$URL" "@$BATCH"
echo "== primes below $PRIMES_TO in 64 parts over 2 workers (warm-up, then measured)"
bench job "$URL" "$PRIMES" >/dev/null
bench job "$URL" "$PRIMES"
echo "(cores on this machine: $(nproc); gateway and workers share them)"
