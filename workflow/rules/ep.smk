# Enhancer-promoter: leave-one-chromosome-out cross-validation and a final fit on the
# labelled pairs, then the fitted parameters score a second labelled table.

rule train_ep:
    input:
        pairs=data_path(config["ep"]["pairs"]),
        landscape=[EP_LANDSCAPE] if EP_LANDSCAPE else [],
    output:
        model=OUT / "ep/model.pt",
        cv=OUT / "ep/model.pt.cv.tsv",
        summary=OUT / "ep/model.pt.cv.json",
    params:
        landscape=EP_LANDSCAPE or "none",
        max_iter=config["ep"].get("max_iter", 80),
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/train_ep.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        "genoseq train ep --pairs {input.pairs} --landscape {params.landscape} -o {output.model} "
        "--max-iter {params.max_iter} -t {threads} 2> {log}"


rule evaluate_ep_cv:
    input:
        rules.train_ep.output.cv,
    output:
        OUT / "ep/cv_eval.json",
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/evaluate_ep_cv.log",
    shell:
        "genoseq evaluate ep --scored {input} --score-column genoseq.CVScore --by Dataset --format json > {output} 2> {log}"


rule score_ep_heldout:
    input:
        pairs=EP_HELDOUT or [],
        model=rules.train_ep.output.model,
        landscape=[EP_LANDSCAPE] if EP_LANDSCAPE else [],
    output:
        OUT / "ep/heldout_scored.tsv",
    params:
        landscape=f"--landscape {EP_LANDSCAPE}" if EP_LANDSCAPE else "",
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/score_ep_heldout.log",
    shell:
        "genoseq ep score {input.pairs} {params.landscape} -m {input.model} -o {output} 2> {log}"


rule evaluate_ep_heldout:
    input:
        rules.score_ep_heldout.output,
    output:
        OUT / "ep/heldout_eval.json",
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/evaluate_ep_heldout.log",
    shell:
        "genoseq evaluate ep --scored {input} --by CellType --format json > {output} 2> {log}"
