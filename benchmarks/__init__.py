"""Solidarity's benchmarks: run them all with ``./dev bench`` (``python -m benchmarks``)."""
