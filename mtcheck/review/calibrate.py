"""From reviewers' decisions to settings: what each detector is worth on these articles.

A flag a reviewer accepted (whatever severity or category they gave it) was right; one they
rejected was a false alarm. Per detector, and per detector × category × severity, that gives
a precision with a Wilson 95% interval. Below the precision asked, with at least
``min_decisions`` decisions behind it, a detector is left out of the run (the model's own
flags, which no detector raised, are dropped by a ``[[drop]]`` rule), or else the one
category × severity of it that falls below is dropped. The result is a config file that
``check``, ``batch`` and ``regress`` read as any other.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import DropRule
from ..detector_names import DETECTOR_NAMES


@dataclass(frozen=True)
class Precision:
    """Accepted and decided flags of one detector (or one detector × category × severity)."""

    accepted: int
    decided: int

    @property
    def value(self) -> float:
        return self.accepted / self.decided if self.decided else float("nan")

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """Wilson score interval: sound for the few decisions a reviewer makes on one outlet."""
        n = self.decided
        if not n:
            return 0.0, 1.0
        p = self.accepted / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Row:
    detector: str
    category: str | None
    severity: str | None
    precision: Precision
    action: str  # "keep", "too few decisions", "turn off", "drop"

    @property
    def label(self) -> str:
        return self.detector if self.category is None else f"{self.detector} {self.category}/{self.severity}"


@dataclass(frozen=True)
class Calibration:
    min_precision: float
    min_decisions: int
    rows: tuple[Row, ...]
    turned_off: tuple[str, ...]
    drop: tuple[DropRule, ...]
    detectors: tuple[str, ...]  # the run's detectors less those turned off
    flag_model: str | None
    before: Precision
    after: Precision
    articles: int
    notes: tuple[str, ...] = field(default=())

    def to_toml(self, source: str) -> str:
        """A config file: the run's detectors less those turned off, and the drop rules."""
        lines = [f"# Written by `mtcheck calibrate {source} --min-precision {self.min_precision}`:",
                 f"# {self.before.decided} decided flags on {self.articles} reviewed article(s); precision "
                 f"{_fraction(self.before)} before, {_fraction(self.after)} after (on the same decisions).", ""]
        if self.flag_model is not None:
            lines.append(f"flag_model = {json.dumps(self.flag_model)}")
        if self.turned_off:
            lines.append(f"# turned off: {', '.join(self.turned_off)}")
            lines.append("detectors = [" + ", ".join(json.dumps(d) for d in self.detectors) + "]")
        for rule in self.drop:
            row = next(r for r in self.rows if (r.detector, r.category, r.severity) == (rule.detector, rule.category, rule.severity))
            lines += ["", "[[drop]]", f"detector = {json.dumps(rule.detector)}"]
            if rule.category is not None:
                lines.append(f"category = {json.dumps(rule.category)}")
            if rule.severity is not None:
                lines.append(f"severity = {json.dumps(rule.severity)}")
            lines.append(f"reason = {json.dumps('precision ' + _fraction(row.precision))}")
        return "\n".join(lines) + "\n"

    def table(self) -> str:
        """The precision of every detector and group, with its interval and what was done."""
        width = max([len(r.label) for r in self.rows] + [8])
        out = [f"{'detector':<{width}}  accepted/decided  precision  95% interval  action"]
        for row in self.rows:
            low, high = row.precision.interval()
            out.append(f"{row.label:<{width}}  {row.precision.accepted:>8}/{row.precision.decided:<7}  "
                       f"{row.precision.value:>9.2f}  {low:.2f}–{high:.2f}     {row.action}")
        out.append(f"precision on the reviewed articles: {_fraction(self.before)} before, "
                   f"{_fraction(self.after)} with this config (same decisions; the model may raise others)")
        return "\n".join(out + list(self.notes))


def _fraction(p: Precision) -> str:
    return f"{p.value:.2f} ({p.accepted}/{p.decided})" if p.decided else "n/a (0 decided)"


def calibrate(records: Iterable[Mapping[str, Any]], *, min_precision: float = 0.7, min_decisions: int = 5,
              detectors: Sequence[str] = (), flag_model: str | None = None) -> Calibration:
    """Precision per detector from review ``records`` (see :mod:`.export`) and the settings that follow.

    ``detectors``: the run's detectors (what the config keeps when it turns one off);
    ``flag_model``: the run's model setting, written to the config so that it runs the same way.
    """
    flags = [r for r in records if r.get("origin") == "flag" and r.get("detector")]
    articles = len({r["article_id"] for r in records})
    by_detector: dict[str, list[bool]] = defaultdict(list)
    by_group: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    for record in flags:
        right = record["decision"] == "accept"
        by_detector[record["detector"]].append(right)
        by_group[(record["detector"], record["flag_category"], record["flag_severity"])].append(right)

    def precision(outcomes: Sequence[bool]) -> Precision:
        return Precision(sum(outcomes), len(outcomes))

    rows, turned_off, drop = [], [], []
    for detector in sorted(by_detector):
        p = precision(by_detector[detector])
        if p.decided < min_decisions:
            action = "too few decisions"
        elif p.value < min_precision:
            action = "turn off"
        else:
            action = "keep"
        rows.append(Row(detector, None, None, p, action))
        if action == "turn off":
            if detector in DETECTOR_NAMES:
                turned_off.append(detector)
            else:  # the model's own flags: no detector to leave out
                drop.append(DropRule(detector))
            continue
        groups = [(key, outcomes) for key, outcomes in sorted(by_group.items()) if key[0] == detector]
        if len(groups) == 1:
            continue  # one category × severity: the detector's row says it all
        for (d, category, severity), outcomes in groups:
            g = precision(outcomes)
            below = g.decided >= min_decisions and g.value < min_precision
            rows.append(Row(d, category, severity, g, "drop" if below else
                            ("too few decisions" if g.decided < min_decisions else "keep")))
            if below:
                drop.append(DropRule(d, category, severity))
    kept = [r for r in flags if r["detector"] not in turned_off
            and not any(rule.detector == r["detector"] and rule.category in (None, r["flag_category"])
                        and rule.severity in (None, r["flag_severity"]) for rule in drop)]
    notes = []
    if turned_off and not detectors:
        notes.append("note: the run does not list its detectors; the config keeps the default set less those turned off")
    if detectors:
        base = tuple(detectors)
    else:
        from ..detectors import default_detectors

        base = tuple(default_detectors())
    return Calibration(
        min_precision=min_precision, min_decisions=min_decisions, rows=tuple(rows), turned_off=tuple(turned_off),
        drop=tuple(drop), detectors=tuple(d for d in base if d not in turned_off), flag_model=flag_model,
        before=precision([r["decision"] == "accept" for r in flags]),
        after=precision([r["decision"] == "accept" for r in kept]), articles=articles, notes=tuple(notes))
