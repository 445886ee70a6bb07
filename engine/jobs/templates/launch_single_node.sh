#!/usr/bin/env bash
# One machine: NPROC processes (default: one per GPU, else 2 on the CPU). Extra arguments go to train.py.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${NPROC:-}" ]; then
  NPROC=$(python -c "import torch; print(torch.cuda.device_count() or 2)")
fi
exec torchrun --standalone --nproc_per_node="$NPROC" train.py "$@"
