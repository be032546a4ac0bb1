#!/usr/bin/env bash
# One call on a lent GPU machine: train gene networks side by side for a fixed budget, then
# run the CUDA tests. Everything it makes lands under $OUT (default runs/gpu_out).
#
#   bash benchmarks/gpu_genes.sh [MINUTES] [DATA_ROOT]
#
# The device machine has PyTorch but not every dependency of genoseq: wheels for the
# missing ones travel in .whl/ (see the device tool's notes), genomes in .devdata/ (a copy of
# ../shared/data/genomes without the excluded genome, never committed).
set -uo pipefail
MINUTES=${1:-8}
DATA=${2:-.devdata}
OUT=${OUT:-runs/gpu_out}
mkdir -p "$OUT"
source "$(dirname "$0")/device_env.sh"
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"

# The shipped architecture as the reference, and networks whose GRU steps read 2 or 3 codons
# (issue 14: 0.62x / 0.40x the network time on CPU; their accuracy is what this run measures).
# name   arch (branch,codon,gru,head)  batch  lr    seed  codons/step  window
CONFIGS="v2big   12,60,40,24  128  3e-3  1  1  3000
step2   12,60,40,24  128  3e-3  1  2  3000
step3   12,60,40,24  128  3e-3  1  3  2997
small3  8,48,32,16   128  3e-3  1  3  2997"
pids=()
while read -r name arch batch lr seed steps window; do
    python3 benchmarks/gpu_train_genes.py --data-root "$DATA" -o "runs/gpu/$name" --minutes "$MINUTES" \
        --arch "$arch" --batch-size "$batch" --lr "$lr" --seed "$seed" --codons-per-step "$steps" \
        --window "$window" -t 4 > "$OUT/$name.log" 2>&1 &
    pids+=($!)
done <<< "$CONFIGS"
wait "${pids[@]}"
for name in v2big step2 step3 small3; do
    cp "runs/gpu/$name/best.pt" "$OUT/$name.pt" 2>/dev/null  # the log holds every metrics.csv row
    echo "== $name"; grep -E "probe|Traceback|Error" "$OUT/$name.log"; tail -n 2 "$OUT/$name.log"
done
timeout 60 python3 -m pytest -q tests/nn/test_cuda.py 2>&1 | tail -n 5
