#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium (the dashboard's end-to-end
# tests; never a browser downloaded by a test tool) and a Java runtime (pyspark, for the Spark parity
# tests). Installs only what is missing, with apt (Debian/Ubuntu); elsewhere it says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install: ${need[*]} (browser tests and Spark tests skip without them, fail under CI=true)" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "system-deps: installing ${need[*]} with apt" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
