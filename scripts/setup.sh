#!/usr/bin/env bash
# Install govworkflow with every extra into the current Python (idempotent).
#   bash scripts/setup.sh          # the package with every face: ".[all]"
#   bash scripts/setup.sh --test   # everything the tests import: ".[test]" (Playwright's Python
#                                  # package included), plus Debian's Chromium for the browser tests
# environment.yml installs the same PyTorch pin and the ".[test]" extra (tests/test_packaging.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

# PyTorch first, pinned: 2.13.0 is the CPU build here; any other request pulls CUDA packages.
if ! "$PY" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  "$PY" -m pip install --quiet "torch==2.13.0"
fi
EXTRA=all
[[ "${1:-}" == "--test" ]] && EXTRA=test
# `openenv` (the extra) and the frozen `openenv-core` install the same modules: drop the old one first.
if "$PY" -m pip show openenv-core >/dev/null 2>&1; then
  "$PY" -m pip uninstall --quiet -y openenv-core
fi
"$PY" -m pip install --quiet -e ".[$EXTRA]"

if [[ "$EXTRA" == "test" ]]; then
  # Playwright drives this Chromium (executable_path); it never downloads a browser of its own.
  if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "note: Chromium not found and cannot be installed here; the browser test will be skipped" >&2
    fi
  fi
fi
