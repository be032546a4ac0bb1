#!/usr/bin/env bash
# Tune the gene decoder on the training genomes, each scored by the fold network of
# benchmarks/gpu_folds.sh that never saw it, and the 2 validation genomes scored by MODEL.
# The test genomes take no part, and tune_decoder.py leaves out the four training genomes whose
# annotations are Prodigal's own calls (RASTtk; MANIFEST.tsv), so 9 genomes tune the decoder
# (13 up to session 15: models/genes_v6.md).
#
#   bash benchmarks/tune_oof.sh [MODEL] [FOLDS_DIR]
#
# FOLDS_DIR (default benchmarks/folds): gpu_folds.sh's runs/gpu, or the copy of it that
# benchmarks/keep_folds.py makes in the repository. Without fold networks (none are committed
# yet: session 12's were lost) tune_decoder.py can only score the tuning genomes with MODEL itself,
# in sample for the training genomes.
#
# GRID names the settings and their values; by default a coordinate ascent over them starts from the
# first values. SEARCH= (empty) evaluates every combination instead, e.g. to compare a few settings:
#   GRID="adapt_rounds=2,3" SEARCH= bash benchmarks/tune_oof.sh models/genes_v6.pt FOLDS_DIR
# ARGS adds options of tune_decoder.py, e.g. ARGS='--orientations 2'.
set -euo pipefail
MODEL=${1:-genes-default}
F=${2:-benchmarks/folds}
[ -f "$F/folds.txt" ] || { echo "tune_oof.sh: no $F/folds.txt (fold networks: benchmarks/keep_folds.py)" >&2; exit 2; }
# the folds as gpu_folds.sh wrote them ("fold_a: held out g1,g2,g3"): each held-out genome is
# scored by its fold's network; the validation genomes by MODEL
TUNE=mgallisepticum_rlow,mthermautotrophicus_dh
OOF=""
while read -r fold _ _ held; do
    IFS=, read -ra genomes <<< "$held"
    for genome in "${genomes[@]}"; do
        TUNE+=",$genome"
        OOF+=" $genome=$F/${fold%:}/best.pt"
    done
done < "$F/folds.txt"
SEARCH=${SEARCH---coordinate}
OBJECTIVE=${OBJECTIVE:-margin=1,sensitivity=0.1,precision=0.1,verified=0.3}
GRID=${GRID:-short_gene_penalty=15,10,20,25 short_gene_length=300,400,250 adapted_bias=10,6,8,12 codon_weight=2,1.5,2.5 \
site_weight=0,1,2 adapted_start_weight=6,4,8 motif_weight=6,3,9 type_weight=2,1,3 upstream_weight=3,2,1 \
choice_site_weight=4,3,2 choice_start_weight=3,2,1 adapted_coding_weight=0.05,0.03,0.08 alternative_starts=2,0,4}
# shellcheck disable=SC2086
python benchmarks/tune_decoder.py --model "$MODEL" --genomes "$TUNE" --scores-model $OOF \
  --cache runs/score_cache_oof $SEARCH ${ARGS:-} --objective "$OBJECTIVE" --grid $GRID
