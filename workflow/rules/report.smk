# Metric tables and plots for `snakemake --report`.


rule report_tables:
    input:
        genes=gene_evaluations(),
        genes_metrics=rules.train_genes.output.metrics,
        ss_metrics=rules.train_ss.output.metrics,
        ss_eval=rules.evaluate_ss.output,
        ss_pred=rules.predict_ss.output,
        ss_ref=data_path(config["ss"]["test_table"]),
        ep=ep_evaluations(),
        ep_cv=rules.train_ep.output.cv,
    output:
        genes=report(OUT / "report/genes_accuracy.tsv", category="Genes", caption="../report/genes.rst"),
        genes_plot=report(OUT / "report/genes_accuracy.png", category="Genes", caption="../report/genes.rst"),
        curves=report(OUT / "report/training_curves.png", category="Training", caption="../report/curves.rst"),
        ss=report(OUT / "report/ss_metrics.tsv", category="Secondary structure", caption="../report/ss.rst"),
        confusion=report(OUT / "report/ss_confusion.png", category="Secondary structure", caption="../report/ss.rst"),
        ep=report(OUT / "report/ep_metrics.tsv", category="Enhancer-promoter", caption="../report/ep.rst"),
        pr=report(OUT / "report/ep_precision_recall.png", category="Enhancer-promoter", caption="../report/ep.rst"),
    conda:
        "../envs/genoseq.yaml"
    log:
        OUT / "logs/report_tables.log",
    script:
        "../scripts/make_report.py"
