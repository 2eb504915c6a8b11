"""Benchmarks for dossier: run them with ``python -m bench`` (or ``make bench``)."""
