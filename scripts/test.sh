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
# torch comes in through argostranslate (stanza), and is installed first, on its own:
# PyPI's torch for Linux is the CUDA build (about 17 nvidia-* packages, several GB),
# so the CPU-only build comes from PyTorch's own index, as the README tells users.
# A CPU wheel that pip finds without any index (a wheelhouse in pip's find-links, as on
# the machine these tests are run on, which reaches PyPI and nothing else) is taken
# first: --no-index never downloads anything, so it cannot pull the CUDA build by
# mistake (--no-deps: torch's dependencies are not in such a wheelhouse, and pip then
# takes them from PyPI with torch already installed). TORCH_INDEX_URL chooses another
# index (a mirror, or a CUDA one).
torch_index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
if python -m pip install -q --no-index --no-deps "torch==2.13.0" 2>/dev/null; then
  # torch's own dependencies (filelock, sympy, ...) from PyPI: torch itself is installed.
  python -m pip install -q "torch==2.13.0"
else
  python -m pip install -q torch --index-url "$torch_index"
fi
python -m pip install -q -e ".[test,translate,bench]"
# Scratch folders in RAM where the machine has room there (unless TMPDIR says
# otherwise): the suite makes some 10,000 folders and files, and on a disk each
# costs several times what it does in /dev/shm (this machine: 0.55 s vs 0.08 s for
# 2,000 folders with a page each).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] \
  && [ "$(df --output=avail -k /dev/shm | tail -1)" -gt 4000000 ]; then
  export TMPDIR=/dev/shm
fi
# On every core (pytest-xdist): the suite is a few long builds (marked slow, which
# conftest.py puts first) and many short tests, handed out two at a time so that no
# worker is left with a queue of long ones while the other idles.
python -m pytest -n auto --maxschedchunk 2 "$@"
