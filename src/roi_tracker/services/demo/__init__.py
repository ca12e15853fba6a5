"""Synthetic data only: the demo practice of `init --demo` and the bulk `demo seed` for trials.

Nothing here is ever real: names, staff and clients are generated.
"""
