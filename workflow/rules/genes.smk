# Gene finding: train on the train genomes (validation genomes pick best.pt), predict the
# test genomes, score them and Prodigal against their annotations.


rule train_genes:
    input:
        [data_path(genome(n)[k]) for n in genomes_with("train") + genomes_with("validation") for k in ("fasta", "gff3")],
    output:
        model=OUT / "genes/model/best.pt",
        metrics=OUT / "genes/model/metrics.csv",
    params:
        train_cmd=train_command("genes"),
        device=DEVICE,
        pairs=f"{gene_pairs('train')} {gene_pairs('validation')}",
        outdir=lambda w, output: Path(output.model).parent,
        train=config["genes"]["train"],
        network=network_options(config["genes"]["train"]),
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/train_genes.log",
    threads: THREADS
    resources:
        gpu=gpu_resources(),
        mem_mb=8000,
        runtime=config["genes"]["train"].get("runtime_minutes", 720),
    shell:
        "{params.train_cmd} genes {params.pairs} -o {params.outdir} --epochs {params.train[epochs]} "
        "--steps-per-epoch {params.train[steps_per_epoch]} --batch-size {params.train[batch_size]} "
        "--window {params.train[window]} --seed {params.train[seed]} {params.network}--device {params.device} -t {threads} "
        "--max-minutes {resources.runtime} 2> {log}"


rule predict_genes:
    input:
        fasta=lambda w: data_path(genome(w.genome)["fasta"]),
        model=rules.train_genes.output.model,
    output:
        gff=OUT / "genes/predict/{genome}/genes.gff3",
        proteins=OUT / "genes/predict/{genome}/proteins.faa",
    params:
        device=DEVICE,
        table=lambda w: genome(w.genome).get("table", 11),
        outdir=lambda w, output: Path(output.gff).parent,
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/predict_genes/{genome}.log",
    threads: THREADS
    resources:
        mem_mb=4000,
        runtime=60,
    shell:
        "genoseq predict-genes {input.fasta} -g {params.table} -m {input.model} -o {params.outdir} --tracks none "
        "--genes none --device {params.device} -t {threads} -q 2> {log}"


rule prodigal_genes:
    input:
        fasta=lambda w: data_path(genome(w.genome)["fasta"]),
    output:
        gff=OUT / "genes/prodigal/{genome}.gff",
    params:
        table=lambda w: genome(w.genome).get("table", 11),
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/prodigal/{genome}.log",
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        # Prodigal when installed (Debian: apt-get install prodigal), else pyrodigal's CLI
        "if command -v prodigal > /dev/null; then "
        "  gzip -cdf {input.fasta} | prodigal -g {params.table} -f gff -o {output.gff} -q 2> {log}; "
        "else pyrodigal -i {input.fasta} -g {params.table} -f gff -o {output.gff} 2> {log}; fi"


rule evaluate_genes:
    input:
        pred=predicted_gff,
        ref=lambda w: data_path(genome(w.genome)["gff3"]),
    output:
        OUT / "genes/eval/{genome}.{tool}.json",
    wildcard_constraints:
        tool="genoseq|prodigal",
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/evaluate_genes/{genome}.{tool}.log",
    resources:
        mem_mb=2000,
        runtime=10,
    shell:
        "genoseq evaluate genes --pred {input.pred} --ref {input.ref} --format json > {output} 2> {log}"
