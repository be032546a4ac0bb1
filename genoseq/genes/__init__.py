"""Prokaryotic gene finding: CNN + bidirectional GRU per-base scores, ORF-aware decoding."""
