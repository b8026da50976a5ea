#!/usr/bin/env bash
# Churn soak: a gateway (role gateway only) and worker JVMs on loopback; for N minutes the workers
# are killed (SIGKILL), frozen (SIGSTOP, later SIGCONT or SIGKILL) or stopped (SIGTERM) and started
# again every few seconds, while sync calls and jobs with known exact results run. Prints what
# completed, what was lost, duplicated or wrong (each must be 0), and the longest stall; exits 1
# when any of those three is not 0. Not part of `mvn verify`.
# Usage: bench/soak.sh [minutes]   (default 5; env SOAK_WORKERS=3, SOAK_SEED for the churn's dice,
#        SOAK_JVM_OPTIONS: more -D options for every node, e.g. to try another Akka setting)
set -euo pipefail
MINUTES="${1:-5}"
WORKERS="${SOAK_WORKERS:-3}"
HTTP_PORT="${SOAK_HTTP_PORT:-18180}"
CLUSTER_PORT="${SOAK_CLUSTER_PORT:-25720}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/bin/taskgrid" build >/dev/null
LOGS="$ROOT/run/soak"
PIDS="$LOGS/pids"
mkdir -p "$LOGS"
: >"$PIDS"
# Fast failure detection and downing, as the integration tests use: churn every few seconds.
CLUSTER_OPTIONS=(-Dakka.cluster.failure-detector.acceptable-heartbeat-pause=3s
  -Dakka.cluster.failure-detector.heartbeat-interval=500ms
  -Dtaskgrid.downing.stable-after=5s)
# shellcheck disable=SC2206
CLUSTER_OPTIONS+=(${SOAK_JVM_OPTIONS:-})

# Every JVM started (the gateway here, the workers by Soak.java, which lists them in $PIDS) is
# stopped however this script ends: SIGCONT first (a frozen JVM ignores SIGTERM), then SIGKILL.
stop_all() {
  trap - EXIT INT TERM
  local pids
  mapfile -t pids <"$PIDS"
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -CONT "${pids[@]}" 2>/dev/null || true
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "${pids[@]}" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TASKGRID_ROLES=gateway TASKGRID_HTTP_HOST=127.0.0.1 TASKGRID_HTTP_PORT="$HTTP_PORT" \
  TASKGRID_CLUSTER_HOST=127.0.0.1 TASKGRID_CLUSTER_PORT="$CLUSTER_PORT" TASKGRID_CLUSTER_TLS=off \
  java "${CLUSTER_OPTIONS[@]}" -jar "$ROOT/http-gateway/target/taskgrid-gateway.jar" \
  >"$LOGS/gateway.log" 2>&1 &
GATEWAY_PID=$!
echo "$GATEWAY_PID" >>"$PIDS"

java -cp "$ROOT/http-gateway/target/taskgrid-gateway.jar" "$ROOT/bench/Soak.java" \
  --url "http://127.0.0.1:$HTTP_PORT" --seed "127.0.0.1:$CLUSTER_PORT" \
  --worker-jar "$ROOT/worker-node/target/taskgrid-worker.jar" --workers "$WORKERS" \
  --minutes "$MINUTES" --logs "$LOGS" --pids "$PIDS" --jvm-options "${CLUSTER_OPTIONS[*]}" \
  --gateway-pid "$GATEWAY_PID" \
  ${SOAK_SEED:+--dice "$SOAK_SEED"}
