"""Prokaryotic gene finding: CNN + bidirectional GRU per-base scores, ORF-aware decoding."""

#: ``--precision`` choices (torch-free, for the CLI): "auto" is bf16 convolutions on CPUs with
#: native bfloat16, else fp32; mixed precision on CUDA.
PRECISIONS = ("auto", "bf16", "fp32")

#: ``--engine`` choices: what runs the network ("auto": ONNX Runtime on CPU where the model
#: ships an ONNX export, else torch; see :meth:`genoseq.genes.api.GenePredictor.load`).
ENGINES = ("auto", "onnxruntime", "torch")

#: ``train genes --distill-start`` choices (torch-free, for the CLI): how a student matches its
#: teacher's start sites (see :func:`genoseq.genes.dataset.gene_loss`).
DISTILL_STARTS = ("probability", "logit")
