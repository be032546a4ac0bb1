"""Protein secondary structure (3- and 8-state DSSP) from a bidirectional LSTM."""

#: ``--precision`` choices (torch-free, so the CLI can list them without importing torch):
#: "auto" is bf16 on CPUs with native bfloat16, else int8; mixed precision on CUDA.
PRECISIONS = ("auto", "bf16", "int8", "fp32")
