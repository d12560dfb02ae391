"""The regression gate: sample corpora scored against a committed baseline, for CI."""

from .gate import Change, Tolerance, compare, run_gate

__all__ = ["Change", "Tolerance", "compare", "run_gate"]
