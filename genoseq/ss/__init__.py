"""Protein secondary structure (3- and 8-state DSSP) from a bidirectional LSTM."""
