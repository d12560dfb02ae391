"""The regression gate's console table: what changed, regressions first."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from .gate import Change


def render_changes(changes: Sequence[Change], current: Mapping[str, Any], width: int = 110) -> str:
    table = Table(title="mtcheck regress", show_lines=False)
    for column in ("", "where", "metric", "baseline", "now", "note"):
        table.add_column(column)
    for c in sorted(changes, key=lambda c: (not c.regression, c.corpus, c.article or "", c.metric)):
        table.add_row("✗" if c.regression else "·", c.where, c.metric, _fmt(c.baseline), _fmt(c.current), c.note)
    summary = "; ".join(
        f"{name}: {len(r['articles'])} articles, "
        + ", ".join(f"{k} {r['corpus'][k]:.1f}" for k in ("chrf", "bleu", "ter", "mqm_estimate", "fluency_flags_per_100_words") if k in r["corpus"])
        + f", flags {r['corpus']['critical']}/{r['corpus']['major']}/{r['corpus']['minor']} (crit/maj/min)"
        for name, r in current.items())
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    if changes:
        console.print(table)
    else:
        console.print("no change from the baseline" if changes == [] else "")
    console.print(summary)
    return buffer.getvalue()


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
