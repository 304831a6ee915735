"""Benchmarks of Lotse; ``make bench`` runs them all (``python -m bench``)."""
