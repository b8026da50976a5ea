# shellcheck shell=bash
# A local PostgreSQL for `bin/taskgrid cluster --gateways N` (N > 1) when no TASKGRID_DB_URL is
# given, sourced by bin/taskgrid: several gateways share their jobs only through a database that
# all of them reach, and H2 in a file is one process's alone.
#
# Its folder (TASKGRID_PG_DIR, default run/postgres) is kept across runs, so that jobs survive a
# restart of the launcher: data/ (the cluster, made by initdb on first use), password (of the
# database user taskgrid, made on first use; it reaches the gateways through their environment,
# never argv) and postgres.log. The server listens on 127.0.0.1 only, on TASKGRID_PG_PORT or the
# first free port from 15432, with no Unix socket (its path could exceed the 107-byte limit under
# a deep work tree). PostgreSQL refuses to run as root: as root it runs as the OS user postgres.

PG_DIR="${TASKGRID_PG_DIR:-$ROOT/run/postgres}"
PG_USER=taskgrid
PG_DATABASE=taskgrid
PG_BIN=""
PG_PORT=""

# PG_BIN: TASKGRID_PG_BIN, else the newest of Debian's /usr/lib/postgresql/N/bin, else the folder
# of a pg_ctl on the PATH. Refuses, saying how to go on, when none has the server's binaries.
pg_find_binaries() {
  local dir candidates=()
  if [ -n "${TASKGRID_PG_BIN:-}" ]; then
    candidates=("$TASKGRID_PG_BIN")
  else
    while IFS= read -r dir; do
      candidates+=("$dir")
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
    command -v pg_ctl >/dev/null && candidates+=("$(dirname "$(readlink -f "$(command -v pg_ctl)")")")
  fi
  for dir in "${candidates[@]}"; do
    if [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ]; then
      PG_BIN="$dir"
      return 0
    fi
  done
  cat >&2 <<EOF
Several gateways share their jobs through PostgreSQL, and no TASKGRID_DB_URL names one; but the
PostgreSQL server binaries (postgres, initdb, pg_ctl, psql) are not in ${TASKGRID_PG_BIN:-/usr/lib/postgresql/N/bin or on the PATH}.
Either install them, and bin/taskgrid runs a local PostgreSQL in $PG_DIR:
    sudo apt-get install postgresql        (Debian, Ubuntu; elsewhere set TASKGRID_PG_BIN to their folder)
or give every gateway your own database:
    TASKGRID_DB_URL=jdbc:postgresql://HOST:5432/taskgrid TASKGRID_DB_USER=... TASKGRID_DB_PASSWORD=... \\
      bin/taskgrid cluster --gateways N --workers M
(One gateway needs neither: bin/taskgrid cluster --workers M keeps its jobs in H2.)
EOF
  return 1
}

# Runs a PostgreSQL binary: as the OS user postgres when we are root (PostgreSQL refuses root).
pg_run() {
  local tool="$PG_BIN/$1"
  shift
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$tool" "$@"
  else
    "$tool" "$@"
  fi
}

# True when something answers on 127.0.0.1:$1 (bash only).
pg_port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# PG_PORT: TASKGRID_PG_PORT, else the first of 15432..15531 on which nothing answers.
pg_choose_port() {
  if [ -n "${TASKGRID_PG_PORT:-}" ]; then
    PG_PORT="$TASKGRID_PG_PORT"
    return 0
  fi
  local port
  for port in $(seq 15432 15531); do
    if ! pg_port_taken "$port"; then
      PG_PORT="$port"
      return 0
    fi
  done
  echo "No free port for the local PostgreSQL in 15432-15531: set TASKGRID_PG_PORT" >&2
  return 1
}

# Makes PG_DIR (its owner's only; as root, the postgres user's) and, on first use, its password
# and its database cluster.
pg_init_once() {
  mkdir -p "$PG_DIR" && chmod 700 "$PG_DIR" || return 1
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "PostgreSQL refuses to run as root and there is no OS user postgres to run it as:" \
        "install Debian's postgresql package (it makes that user) or set TASKGRID_DB_URL" >&2
      return 1
    fi
    chown postgres: "$PG_DIR" || return 1
    if ! runuser -u postgres -- test -w "$PG_DIR"; then
      echo "The OS user postgres cannot write to $PG_DIR (a folder above it is closed to it):" \
        "set TASKGRID_PG_DIR to a folder it can reach, e.g. /var/tmp/taskgrid-postgres" >&2
      return 1
    fi
  fi
  [ -f "$PG_DIR/data/PG_VERSION" ] && return 0
  echo "Creating a PostgreSQL database cluster in $PG_DIR/data (first use)..."
  rm -rf "$PG_DIR/data"
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PG_DIR/password") || return 1
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR/password" || return 1; fi
  if ! pg_run initdb -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PG_DIR/password" \
      -A scram-sha-256 -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1; then
    echo "initdb failed (the whole output is in $PG_DIR/initdb.log):" >&2
    tail -n 20 "$PG_DIR/initdb.log" >&2
    rm -rf "$PG_DIR/data"
    return 1
  fi
}

# Starts the server (pg_ctl detaches it from this terminal, so Ctrl-C reaches the gateways
# first and pg_stop stops it after them) and makes the database on first use. Refuses when a
# server already runs on PG_DIR/data: another launcher's, or one left by a launcher killed with
# SIGKILL.
pg_start() {
  pg_find_binaries || return 1
  pg_init_once || return 1
  if pg_run pg_ctl status -D "$PG_DIR/data" >/dev/null 2>&1; then
    echo "A PostgreSQL already runs on $PG_DIR/data (pid $(head -n 1 "$PG_DIR/data/postmaster.pid")):" \
      "another bin/taskgrid cluster, or one left by a launcher that was killed. Stop that one, or" \
      "this one with: $(if [ "$(id -u)" -eq 0 ]; then echo "runuser -u postgres -- "; fi)$PG_BIN/pg_ctl stop -D $PG_DIR/data" >&2
    return 1
  fi
  pg_choose_port || return 1
  if ! pg_run pg_ctl start -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -h 127.0.0.1 -k ''" >/dev/null; then
    echo "PostgreSQL did not start on 127.0.0.1:$PG_PORT; the end of $PG_DIR/postgres.log:" >&2
    tail -n 20 "$PG_DIR/postgres.log" >&2
    return 1
  fi
  PG_STARTED=1
  local exists
  exists="$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" || return 1
  if [ "$exists" != 1 ]; then
    pg_psql -qc "CREATE DATABASE $PG_DATABASE" || return 1
  fi
  echo "PostgreSQL for the job store on 127.0.0.1:$PG_PORT, data in $PG_DIR/"
}

# psql on the maintenance database, over TCP with the password (as the launcher's own user).
pg_psql() {
  PGPASSWORD="$(cat "$PG_DIR/password")" "$PG_BIN/psql" -X -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

# Exports what a gateway needs to reach the database: call it in the gateway's own subshell.
# Exported, not given to env as words, so that the password never shows in a process's argv.
pg_export_gateway_env() {
  export TASKGRID_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DATABASE"
  export TASKGRID_DB_USER="$PG_USER"
  TASKGRID_DB_PASSWORD="$(cat "$PG_DIR/password")"
  export TASKGRID_DB_PASSWORD
}

# Stops the server if pg_start started it: fast (open sessions are cut, the gateways are
# stopped by then), immediate when that does not end within 60 s.
pg_stop() {
  [ "${PG_STARTED:-0}" -eq 1 ] || return 0
  PG_STARTED=0
  echo "Stopping PostgreSQL..."
  pg_run pg_ctl stop -D "$PG_DIR/data" -m fast -w -t 60 >/dev/null 2>&1 ||
    pg_run pg_ctl stop -D "$PG_DIR/data" -m immediate -w -t 30 >/dev/null 2>&1 || true
}
