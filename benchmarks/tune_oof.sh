#!/usr/bin/env bash
# Tune the gene decoder on 13 genomes: the 11 training genomes, each scored by the fold network
# of benchmarks/gpu_folds.sh that never saw it, and the 2 validation genomes scored by MODEL.
# The test genomes take no part. (genes-default v4: models/genes_v4.md)
#
#   bash benchmarks/tune_oof.sh [MODEL] [FOLDS_DIR]      (FOLDS_DIR: gpu_folds.sh's runs/gpu)
set -euo pipefail
MODEL=${1:-genes-default}
F=${2:-runs/gpu}
TUNE=mgallisepticum_rlow,mthermautotrophicus_dh,mtuberculosis_h37rv,hinfluenzae_rd_kw20,malvi_atcc29626,rdenitrificans_och114,spyogenes_m1_gas,mmycoides_afade,bmelitensis_16m,macetivorans_c2a,bsubtilis_best7003,nmeningitidis_mc58,mmaripaludis_s2
# the folds of gpu_folds.sh
OOF=""
for pair in fold_a:mtuberculosis_h37rv,hinfluenzae_rd_kw20,malvi_atcc29626 \
            fold_b:rdenitrificans_och114,spyogenes_m1_gas,mmycoides_afade \
            fold_c:bmelitensis_16m,macetivorans_c2a \
            fold_d:bsubtilis_best7003,nmeningitidis_mc58,mmaripaludis_s2; do
    fold=${pair%%:*}
    IFS=, read -ra held <<< "${pair#*:}"
    for genome in "${held[@]}"; do OOF+=" $genome=$F/$fold/best.pt"; done
done
OBJECTIVE=${OBJECTIVE:-margin=1,sensitivity=0.1,precision=0.1,verified=0.3}
GRID=${GRID:-short_gene_penalty=15,10,20,25 short_gene_length=300,400,250 adapted_bias=10,6,8,12 codon_weight=2,1.5,2.5 \
site_weight=0,1,2 adapted_start_weight=6,4,8 motif_weight=6,3,9 type_weight=2,1,3 upstream_weight=3,2,1 \
choice_site_weight=4,3,2 choice_start_weight=3,2,1 adapted_coding_weight=0.05,0.03,0.08 alternative_starts=2,0,4}
# shellcheck disable=SC2086
python benchmarks/tune_decoder.py --model "$MODEL" --genomes "$TUNE" --scores-model $OOF \
  --cache runs/score_cache_oof --coordinate --objective "$OBJECTIVE" --grid $GRID
