# Configuration checks that run before any job: schema, paths, and seqids of each
# annotation against its FASTA. Everything else calls the genoseq CLI.
import gzip
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError


validate(config, "../schemas/config.schema.yaml")
GENOMES = {g["name"]: g for g in config["genes"]["genomes"]}

DATA = Path(config["data_root"])
OUT = Path(config["outdir"])
THREADS = config.get("threads", 2)
DEVICE = config["device"]


def data_path(relative):
    """Relative paths are read from data_root; absolute ones as given."""
    path = Path(relative)
    return path if path.is_absolute() else DATA / path


def _first_ids(path, prefix, limit=10000):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as handle:
        if prefix == ">":
            return {line[1:].split()[0] for line in handle if line.startswith(">")}
        ids = set()
        for number, line in enumerate(handle):
            if number > limit:
                break
            if line.strip() and not line.startswith("#"):
                ids.add(line.split("\t", 1)[0])
        return ids


def _check_inputs():
    if not DATA.is_dir():  # one message, not a list of every missing file
        sys.stderr.write(
            f"genoseq workflow: data_root {DATA} not found. Point it at the shared data folder (genomes/, ss/, "
            f"enhancers/) with --config data_root=PATH or in config/config.yaml; the data is not shipped with "
            f"genoseq (data/README.md says where it comes from). The example in data/ runs without it: "
            f"genoseq predict-genes data/pPCP1.fna -o out/\n"
        )
        sys.exit(1)
    problems = []
    names = [g["name"] for g in config["genes"]["genomes"]]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"genes.genomes: {name!r} is listed twice")
    for name, genome in GENOMES.items():
        fasta, gff3 = data_path(genome["fasta"]), data_path(genome["gff3"])
        for label, path in (("fasta", fasta), ("gff3", gff3)):
            if not path.is_file():
                problems.append(f"genes.genomes.{name}.{label}: {path} does not exist")
        if fasta.is_file() and gff3.is_file():
            unknown = _first_ids(gff3, "#") - _first_ids(fasta, ">")
            if unknown:
                problems.append(f"genes.genomes.{name}: annotation seqid(s) {', '.join(sorted(unknown)[:3])} "
                                f"are not in {fasta}")
    roles = [g["role"] for g in GENOMES.values()]
    for role in ("train", "test"):
        if role not in roles:
            problems.append(f"genes.genomes: no genome has role {role!r}")
    for key in ("train_table", "valid_table", "test_table"):
        if not data_path(config["ss"][key]).is_file():
            problems.append(f"ss.{key}: {data_path(config['ss'][key])} does not exist")
    for key in ("pairs", "landscape", "heldout_pairs"):
        value = config["ep"].get(key)
        if value and not data_path(value).is_file():
            problems.append(f"ep.{key}: {data_path(value)} does not exist")
    if problems:
        raise WorkflowError("invalid workflow configuration:\n  " + "\n  ".join(problems))


_check_inputs()


def genomes_with(role):
    return [n for n, g in GENOMES.items() if g["role"] == role]


def genome(name):
    return GENOMES[name]


def gpu_resources():
    """Training jobs ask for one GPU unless the config pins the CPU
    (snakemake-executor-plugin-slurm turns gpu=1 into --gpus=1)."""
    return 0 if DEVICE == "cpu" else 1


def gene_pairs(role):
    return " ".join(f"{flag} {data_path(genome(n)['fasta'])} {data_path(genome(n)['gff3'])} {genome(n).get('table', 11)}"
                    for flag, n in [("--pair" if role == "train" else "--valid-pair", n) for n in genomes_with(role)])


def predicted_gff(wildcards):
    if wildcards.tool == "genoseq":
        return OUT / f"genes/predict/{wildcards.genome}/genes.gff3"
    return OUT / f"genes/prodigal/{wildcards.genome}.gff"


def gene_evaluations():
    tools = ["genoseq"] + (["prodigal"] if config["genes"].get("prodigal", True) else [])
    return [OUT / f"genes/eval/{g}.{t}.json" for g in genomes_with("test") for t in tools]


EP_LANDSCAPE = data_path(config["ep"]["landscape"]) if config["ep"].get("landscape") else None
EP_HELDOUT = data_path(config["ep"]["heldout_pairs"]) if config["ep"].get("heldout_pairs") else None


def ep_evaluations():
    return [OUT / "ep/cv_eval.json"] + ([OUT / "ep/heldout_eval.json"] if EP_HELDOUT else [])


#: genes.train keys passed to ``genoseq train genes`` as options of the same name (when given)
NETWORK_OPTIONS = ("lr", "branch_channels", "codon_channels", "gru_hidden", "head_channels", "codons_per_step")


def network_options(train):
    """The network's size and learning rate as ``genoseq train genes`` options (with a trailing space)."""
    return "".join(f"--{key.replace('_', '-')} {train[key]} " for key in NETWORK_OPTIONS if key in train)


def train_command(section):
    """``genoseq train`` for one process, or under torchrun for ``processes`` > 1 (one GPU each
    on CUDA, gloo on CPU)."""
    n = config[section].get("train", {}).get("processes", 1)
    return "genoseq train" if n == 1 else f"torchrun --standalone --nproc_per_node={n} -m genoseq train"
