"""Benchmarks of roi-tracker against its own floor; `make bench` runs them all (bench/run.py)."""
