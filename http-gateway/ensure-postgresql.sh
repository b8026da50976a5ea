#!/usr/bin/env bash
# The job store's tests run against a real PostgreSQL: Debian's server binaries under
# /usr/lib/postgresql/*/bin, started by the tests themselves (PostgresServer) on a free port in a
# temporary directory. Maven runs this before http-gateway's tests, so that `mvn -B verify` works
# on a machine that has only a JDK and Maven: as root it installs the package when it is missing;
# otherwise it says how, and the build stops here (the tests would fail without it anyway).
set -euo pipefail

if [ "${1:-false}" = true ]; then
  exit 0 # -DskipTests: no test will need the database
fi
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The job store's tests need Debian's PostgreSQL server binaries:" >&2
  echo "  sudo apt-get install -y postgresql" >&2
  exit 1
fi
echo "Installing postgresql for the job store's tests (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The package's own cluster is not needed (the tests make their own): don't start it.
apt-get install -y -q --no-install-recommends postgresql </dev/null
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters --no-header 2>/dev/null | while read -r version name _; do
    pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  done
fi
