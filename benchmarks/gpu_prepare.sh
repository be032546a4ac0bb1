#!/usr/bin/env bash
# Make what a lent GPU machine's call carries (run here, before the first device call; both folders
# are git-ignored and never committed):
#   .devdata/genomes  a copy of ../shared/data/genomes (the machine cannot reach ../shared)
#   .whl/             wheels of the packages genoseq needs that the machine's image lacks
#                     (its list: the device tool's KINDS.md; numpy, pandas, click, tqdm, torch and
#                     onnxruntime are there), for its Python 3.12
# Then: run(command="EXTRA='--weight-decay 0.05' bash benchmarks/gpu_session.sh 8 .devdata",
#           carry=[".devdata", ".whl"], timeout_s=600)
#
#   bash benchmarks/gpu_prepare.sh [SHARED_DATA]
set -euo pipefail
SHARED=${1:-../shared/data}
rm -rf .devdata && mkdir -p .devdata
cp -r "$SHARED/genomes" .devdata/genomes
# versions as installed here; --no-deps, so every needed dependency is named
WHEELS=$(python3 - <<'PY'
from importlib.metadata import version
names = ["pyfaidx", "packaging", "pysam", "biopython", "pybigtools", "pyrodigal", "archspec"]
print(" ".join(f"{n}=={version(n)}" for n in names))
PY
)
rm -rf .whl && mkdir -p .whl
for wheel in $WHEELS; do
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any -d .whl "$wheel"
done
du -sh .devdata .whl
echo "carry: .devdata .whl ($(du -cm .devdata .whl | tail -n 1 | cut -f1) MiB of the 64 MiB a call may carry)"
