# genoseq workflow: train and evaluate every model (genes, ss, ep) from raw FASTA/GFF3/TSV,
# compare with Prodigal, and build a report.
#
#   snakemake --profile profiles/local                          # this machine
#   snakemake --profile profiles/slurm                          # a SLURM cluster
#   snakemake --profile profiles/local --configfile config/test.yaml   # tiny run (minutes)
#   snakemake --report report.html                               # after a run
from snakemake.utils import min_version, validate

min_version("9.0")


# The default configuration, unless --configfile names another one (then that file alone
# is the configuration: nothing is silently filled in from the defaults).
if not workflow.config_settings.configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/genes.smk"
include: "workflow/rules/ss.smk"
include: "workflow/rules/ep.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        rules.report_tables.output,
