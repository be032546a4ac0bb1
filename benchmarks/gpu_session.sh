#!/usr/bin/env bash
# The next lent GPU's one call (issues 11 and 14), sized for the device tool's 10-minute command
# limit: 3-codon gene networks first (what decides the next default model), then the GPU speed
# figures. A machine start costs about 30 s of a 15-minute budget; the call took 374 s in
# session 12 (training 193 s with TRAIN_MINUTES 4.5, benchmarks 181 s), so 8 minutes of training fit.
#
#   bash benchmarks/gpu_session.sh [TRAIN_MINUTES] [DATA_ROOT]
#
# First, here: `bash benchmarks/gpu_prepare.sh` makes .devdata (the genomes) and .whl (wheels).
#   run(command="bash benchmarks/gpu_session.sh 8 .devdata", carry=[".devdata", ".whl"], timeout_s=600)
#
# EXTRA adds options to every run, e.g. weight decay for all (session 12's fold networks, trained
# without it, overfitted after about 35 epochs):
#   run(command="EXTRA='--weight-decay 0.05' bash benchmarks/gpu_session.sh 8 .devdata",
#       carry=[".devdata", ".whl"], timeout_s=600)
# INIT_DIR=<a previous call's runs/gpu> continues each run from INIT_DIR/<name>/last.pt instead.
#
# After the call, keep the fold networks in the repository (runs/ is scratch and does not outlive
# the session; session 12's were lost that way, so session 15 could not tune out of fold):
#   tar -xf <files_at>/folds.tar && python benchmarks/keep_folds.py runs/gpu benchmarks/folds
#   git add benchmarks/folds
#
# Next use (session 25): the wider-GRU question, decided on all 9 tuning genomes out of fold rather than
# on the two validation genomes (benchmarks/results/genes_session25.md):
#   run(command="ARCH=12,60,64,24 bash benchmarks/gpu_session.sh 8 .devdata", carry=[".devdata", ".whl"], timeout_s=600)
#   then keep_folds.py into benchmarks/folds_gpu_gru64 and compare with tune_oof.sh against v6's recipe.
#
# 1. gpu_folds.sh with the 3-codon recipe (ARCH=12,60,40,24 CODONS=3 WINDOW=2997): four fold
#    networks and two full ones side by side, TRAIN_MINUTES each -> $OUT/folds.tar. Afterwards, on
#    any machine: `bash benchmarks/tune_oof.sh <candidate> benchmarks/folds` tunes its decoder on the
#    13-genome out-of-fold set, and genes_accuracy.py / genes_speed.py decide whether it ships. A new
#    default network also needs its start prior and adaptation library made again, from its own
#    scores: `python benchmarks/start_prior.py --write`, `python benchmarks/adaptation_library.py --write`.
# 2. gpu_bench.sh (CUDA tests, predict-genes on CUDA beside pyrodigal -j 16, ss on the proteome),
#    cut off at the call's end so that step 1's files still come back.
set -uo pipefail
MINUTES=${1:-8}
DATA=${2:-.devdata}
export OUT=${OUT:-$PWD/runs/gpu_out}
LIMIT=${LIMIT:-570}  # seconds this call may use in all (the device tool allows 600)
start=$SECONDS
mkdir -p "$OUT"
ARCH=${ARCH:-12,60,40,24} CODONS=${CODONS:-3} WINDOW=${WINDOW:-2997} \
    bash "$(dirname "$0")/gpu_folds.sh" "$MINUTES" "$DATA" 2>&1 | tee "$OUT/folds.log"
left=$((LIMIT - (SECONDS - start)))
echo "step 1 took $((SECONDS - start)) s; $left s left for the benchmark"
if [ "$left" -gt 60 ]; then
    timeout "$left" bash "$(dirname "$0")/gpu_bench.sh" "$DATA" 2>&1 | tee "$OUT/bench.log"
else
    echo "no time left for gpu_bench.sh; run it in a call of its own"
fi
