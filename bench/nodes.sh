# Sourced by the bench scripts: start a gateway and workers from the fat jars on loopback, wait
# for their executors, and stop every JVM started when the script exits.
# Needs HTTP_PORT, CLUSTER_PORT and LOG_PREFIX set by the caller.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/bin/taskgrid" build >/dev/null
GATEWAY_JAR="$ROOT/http-gateway/target/taskgrid-gateway.jar"
WORKER_JAR="$ROOT/worker-node/target/taskgrid-worker.jar"
LOGS="$ROOT/run/bench"
URL="http://127.0.0.1:$HTTP_PORT"
mkdir -p "$LOGS"
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
    java -jar "$GATEWAY_JAR" >"$LOGS/$LOG_PREFIX-gateway.log" 2>&1 &
  pids+=($!)
}

start_worker() { # n
  TASKGRID_SEED_NODES=127.0.0.1:$CLUSTER_PORT java -jar "$WORKER_JAR" >"$LOGS/$LOG_PREFIX-worker-$1.log" 2>&1 &
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
