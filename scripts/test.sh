#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need, then runs them.
# Debian packages: chromium for the browser tests, a Java runtime for the HTML
# validator. Python packages: the project with its `test` and `translate` extras.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v java >/dev/null || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# torch comes in through argostranslate (stanza); pinned first, pip takes the
# CPU build instead of a multi-GB CUDA one.
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[test,translate,bench]"
python -m pytest "$@"
