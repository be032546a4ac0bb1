"""Write the sequences of a labelled SS table (id, sequence, ...) as FASTA."""
import pandas as pd

table = pd.read_csv(snakemake.input[0], sep="\t", usecols=["id", "sequence"], dtype=str)  # noqa: F821
with open(snakemake.output[0], "w") as handle:  # noqa: F821
    for ident, sequence in zip(table["id"], table["sequence"]):
        handle.write(f">{ident}\n{sequence}\n")
