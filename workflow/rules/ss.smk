# Secondary structure: train on the train table (validation table picks best.pt), predict
# the test table's sequences and score them.


rule train_ss:
    input:
        train=data_path(config["ss"]["train_table"]),
        valid=data_path(config["ss"]["valid_table"]),
    output:
        model=OUT / "ss/model/best.pt",
        metrics=OUT / "ss/model/metrics.csv",
    params:
        train_cmd=train_command("ss"),
        device=DEVICE,
        outdir=lambda w, output: Path(output.model).parent,
        train=config["ss"].get("train", {}),
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/train_ss.log",
    threads: THREADS
    resources:
        gpu=gpu_resources(),
        mem_mb=8000,
        runtime=config["ss"].get("train", {}).get("runtime_minutes", 720),
    shell:
        "{params.train_cmd} ss --train-table {input.train} --valid-table {input.valid} -o {params.outdir} "
        "--epochs {params.train[epochs]} --steps-per-epoch {params.train[steps_per_epoch]} "
        "--batch-size {params.train[batch_size]} --lstm-hidden {params.train[lstm_hidden]} "
        "--conv-channels {params.train[conv_channels]} --seed {params.train[seed]} --device {params.device} -t {threads} "
        "--max-minutes {resources.runtime} 2> {log}"


rule ss_test_fasta:
    input:
        data_path(config["ss"]["test_table"]),
    output:
        OUT / "ss/test.faa",
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/ss_test_fasta.log",
    script:
        "../scripts/table_to_fasta.py"


rule predict_ss:
    input:
        fasta=rules.ss_test_fasta.output,
        model=rules.train_ss.output.model,
    output:
        OUT / "ss/predict/ss.csv",
    params:
        device=DEVICE,
        outdir=lambda w, output: Path(output[0]).parent,
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/predict_ss.log",
    threads: THREADS
    resources:
        mem_mb=4000,
        runtime=30,
    shell:
        "genoseq ss {input.fasta} -m {input.model} -f csv -o {params.outdir} --device {params.device} -t {threads} -q 2> {log}"


rule evaluate_ss:
    input:
        pred=rules.predict_ss.output,
        ref=data_path(config["ss"]["test_table"]),
    output:
        OUT / "ss/eval.json",
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/evaluate_ss.log",
    resources:
        mem_mb=2000,
        runtime=10,
    shell:
        "genoseq evaluate ss --pred {input.pred} --ref {input.ref} --format json > {output} 2> {log}"
