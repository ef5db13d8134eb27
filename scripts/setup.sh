#!/usr/bin/env bash
# Create .venv (if missing) and install everything the book and the tests need.
# torch is installed first and on its own: plain pip gives a CUDA build on Linux machines with a
# GPU; set TORCH_SPEC (e.g. "torch==2.13.0" for the CPU wheel cached on the CI image, or
# "torch --index-url https://download.pytorch.org/whl/cpu" on a CPU-only laptop) to choose.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
stamp=.venv/.installed
if [[ -f $stamp && $stamp -nt requirements.txt && $stamp -nt scripts/setup.sh ]]; then
  exit 0
fi
python -m pip install --quiet --upgrade pip
if ! python -c "import torch" 2>/dev/null; then
  if [[ -n ${TORCH_SPEC:-} ]]; then
    # shellcheck disable=SC2086
    python -m pip install --quiet $TORCH_SPEC
  elif [[ -f /etc/xdg/pip/constraints.txt ]] || [[ -n ${CI:-} ]]; then
    python -m pip install --quiet "torch==2.13.0"   # the CPU wheel on this image's disk
  fi
fi
python -m pip install --quiet -r requirements.txt
python -m pip install --quiet -e . --no-deps
touch "$stamp"
