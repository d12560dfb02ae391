"""Plots for the batch report and notebooks, drawn with matplotlib and embedded as PNG data URIs."""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Sequence
from typing import Any


def _figure():  # noqa: ANN202
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    from matplotlib.figure import Figure

    return Figure(figsize=(5.2, 3.2), dpi=100, layout="constrained")


def _data_uri(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def score_distribution(values: Sequence[float], label: str) -> str:
    fig = _figure()
    ax = fig.subplots()
    ax.hist(values, bins=min(30, max(5, len(values) // 5)), color="#4c72b0")
    ax.set_xlabel(label)
    ax.set_ylabel("articles")
    ax.set_title(f"{label} per article")
    return _data_uri(fig)


def flags_by_category(categories: Counter) -> str:
    fig = _figure()
    ax = fig.subplots()
    names = sorted(categories, key=categories.__getitem__, reverse=True)
    ax.barh(names[::-1], [categories[n] for n in names[::-1]], color="#dd8452")
    ax.set_xlabel("flags")
    ax.set_title("Flags by category")
    return _data_uri(fig)


def score_vs_length(lengths: Sequence[int], values: Sequence[float], label: str) -> str:
    fig = _figure()
    ax = fig.subplots()
    ax.scatter(lengths, values, s=12, alpha=0.7, color="#55a868")
    ax.set_xlabel("article length (characters)")
    ax.set_ylabel(label)
    ax.set_title(f"{label} vs length")
    return _data_uri(fig)
