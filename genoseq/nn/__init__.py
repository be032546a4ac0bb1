"""Shared neural-network plumbing: devices, checkpoints, the training loop, the model registry."""
