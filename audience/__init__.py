"""Exact per-platform normalisation, hashing and export of customer identifiers."""

__version__ = "0.1.0"
