# Sourced by the GPU scripts: make genoseq importable from the working tree on a device machine.
# Missing Python packages travel as wheels in .whl/ (see the device tool's notes) and install to
# /tmp/site; genoseq.models is the models/ folder once installed, so it is linked here.
export PYTHONUNBUFFERED=1
missing() {
    python3 -c "import importlib.util as u, sys; m=[n for n in ('torch', 'numpy', 'pandas', 'click', 'tqdm', 'pysam', 'pyfaidx', 'Bio', 'pybigtools') if u.find_spec(n) is None]; sys.exit('missing on this machine (bring wheels in .whl/): ' + ', '.join(m) if m else 0)"
}
# the wheels are for the device machine's Python; where nothing is missing (a dry run here) they stay unused
if ! missing 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        || exit 1
    export PYTHONPATH=/tmp/site:$PWD PATH=/tmp/site/bin:$PATH
else
    export PYTHONPATH=$PWD
fi
[ -e genoseq/models ] || ln -s ../models genoseq/models
# fail early, naming what is missing, rather than minutes later inside a benchmark
missing || exit 1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
