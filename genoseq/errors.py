"""Exceptions that the CLI turns into one-line messages."""


class GenoseqError(Exception):
    """A problem with the user's input, options or environment (not a bug)."""


class InputError(GenoseqError):
    """Malformed or unsupported input data."""


class ModelError(GenoseqError):
    """Missing, corrupted or incompatible model weights."""
