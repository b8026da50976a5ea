#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's chromium through chromium-driver; Selenium is
# pointed at them and downloads nothing. Maven runs this before the integration tests, so that
# `mvn -B verify` works on a machine that has only a JDK and Maven: as root it installs the two
# packages when they are missing; otherwise it says how, and the build stops here.
set -euo pipefail

if [ "${1:-false}" = true ]; then
  exit 0 # -DskipTests: no test will need the browser
fi
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The browser tests need Debian's chromium and chromium-driver:" >&2
  echo "  sudo apt-get install -y chromium chromium-driver" >&2
  exit 1
fi
echo "Installing chromium and chromium-driver for the browser tests (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q chromium chromium-driver </dev/null
