"""Enhancer-promoter scoring with a learnable, bidirectional leaky integrator."""
