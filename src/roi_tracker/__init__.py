"""roi-tracker: keep client confidentiality provable."""

__version__ = "0.1.0"
