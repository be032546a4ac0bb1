"""Shipped model weights (installed as ``genoseq.models``); see registry.json and the model cards."""
