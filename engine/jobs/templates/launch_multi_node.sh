#!/usr/bin/env bash
# Several machines: run this on every node with the same NNODES, RDZV_ENDPOINT (HOST:PORT of one node,
# reachable by all) and RDZV_ID. NPROC processes per node (default: one per GPU, else 2).
# Example:  NNODES=2 RDZV_ENDPOINT=node1.example.org:29400 ./launch_multi_node.sh
set -euo pipefail
cd "$(dirname "$0")"
: "${NNODES:?set NNODES to the number of machines}"
: "${RDZV_ENDPOINT:?set RDZV_ENDPOINT to HOST:PORT of the rendezvous node}"
RDZV_ID="${RDZV_ID:-transfer-studio-job}"
if [ -z "${NPROC:-}" ]; then
  NPROC=$(python -c "import torch; print(torch.cuda.device_count() or 2)")
fi
exec torchrun --nnodes="$NNODES" --nproc_per_node="$NPROC" \
  --rdzv-backend c10d --rdzv-endpoint "$RDZV_ENDPOINT" --rdzv-id "$RDZV_ID" \
  train.py "$@"
