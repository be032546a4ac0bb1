#!/usr/bin/env bash
# One call on a GPU machine: the CUDA tests, then predict-genes on CUDA beside pyrodigal with
# every CPU thread, on E. coli and on a multi-FASTA of the shared genomes, then genoseq ss on
# CUDA over the proteome that run called (issue 14's bar: >= 1,000 proteins/s). Prints every figure.
#
#   bash benchmarks/gpu_bench.sh [DATA_ROOT]      (DATA_ROOT: a folder holding genomes/)
#
# Dry run without a GPU (the same steps on CPU, on the first 2 genomes only), to check the script:
#   DEVICE=cpu GENOMES=2 bash benchmarks/gpu_bench.sh
#
# On the device machine, missing Python packages come as wheels in .whl/ (see gpu_genes.sh).
set -uo pipefail
DATA=${1:-../shared/data}
OUT=${OUT:-runs/gpu_bench}
DEVICE=${DEVICE:-cuda}
GENOMES=${GENOMES:-0}  # genomes in the multi-FASTA, in name order (0: all)
mkdir -p "$OUT"
source "$(dirname "$0")/device_env.sh"
THREADS=$(nproc)
timeout 180 python3 -m pytest -q -p no:cacheprovider tests/nn/test_cuda.py 2>&1 | tail -n 3

tmp=$(mktemp -d)
python3 - "$DATA/genomes" "$tmp" "$GENOMES" <<'EOF'
import gzip, pathlib, re, sys
root, tmp, count = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
(tmp / "ecoli.fna").write_bytes(gzip.decompress((root / "ecoli_k12_mg1655" / "genome.fna.gz").read_bytes()))
folders = sorted(p for p in root.iterdir() if (p / "genome.fna.gz").exists())
with open(tmp / "all.fna", "wb") as out:
    for folder in folders[: count or len(folders)]:
        data = gzip.decompress((folder / "genome.fna.gz").read_bytes())
        out.write(re.sub(rb"^>", b">" + folder.name.encode() + b"|", data, flags=re.M))
EOF
run() {  # label, command...: wall seconds and peak RSS
    local label=$1 wall=- rss=0; shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { echo "$label failed"; tail -3 "$tmp/err"; }
    read -r wall rss < <(tail -n 1 "$tmp/time")  # a failed command's first line says so
    echo "| $label | $wall | $((rss / 1024)) |"
}
size=$(stat -c %s "$tmp/all.fna")
echo "| run | wall s | peak RSS MB |"
echo "|---|---|---|"
run "genoseq $DEVICE, E. coli (first run)" python3 -m genoseq predict-genes "$tmp/ecoli.fna" -o "$tmp/g0" -q --device "$DEVICE" -t "$THREADS"
run "genoseq $DEVICE, E. coli" python3 -m genoseq predict-genes "$tmp/ecoli.fna" -o "$tmp/g1" -q --device "$DEVICE" -t "$THREADS"
run "genoseq $DEVICE -m genes-fast, E. coli" python3 -m genoseq predict-genes "$tmp/ecoli.fna" -o "$tmp/g1f" -q --device "$DEVICE" -t "$THREADS" -m genes-fast
run "pyrodigal -j $THREADS, E. coli" python3 -m pyrodigal -i "$tmp/ecoli.fna" -o "$tmp/p1.gff" -f gff -a "$tmp/p1.faa" -j "$THREADS"
run "genoseq $DEVICE, all genomes ($((size / 1000000)) MB)" python3 -m genoseq predict-genes "$tmp/all.fna" -o "$tmp/g2" -q --device "$DEVICE" -t "$THREADS"
run "pyrodigal -j $THREADS, all genomes" python3 -m pyrodigal -i "$tmp/all.fna" -o "$tmp/p2.gff" -f gff -a "$tmp/p2.faa" -j "$THREADS"
echo "input bytes: $size"
ls -la "$tmp/g2"; tail -n 3 "$tmp/err"
proteins=$(grep -c '^>' "$tmp/g2/proteins.faa" 2>/dev/null || echo 0)
run "genoseq ss $DEVICE, proteome ($proteins proteins), csv" python3 -m genoseq ss "$tmp/g2/proteins.faa" -o "$tmp/ss" -f csv -q --device "$DEVICE" -t "$THREADS"
run "genoseq ss $DEVICE, proteome ($proteins proteins), all formats" python3 -m genoseq ss "$tmp/g2/proteins.faa" -o "$tmp/ss_all" -q --device "$DEVICE" -t "$THREADS"
echo "(proteins/s = proteins / wall s)"
# where the time of the 48 MB run goes (network, decoder, track files), in process
python3 benchmarks/genes_phases.py "$tmp/all.fna" --device "$DEVICE" --threads "$THREADS"
