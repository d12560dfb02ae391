"""Merging overlapping flags and ranking them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..types import Flag


def rank_key(flag: Flag) -> tuple[int, float, int]:
    """Most serious first, then most confident, then article order."""
    return (-flag.severity.rank, -flag.confidence, flag.start)


def merge_flags(flags: Iterable[Flag], text: str) -> list[Flag]:
    """Merge flags whose spans overlap into one, keeping the most serious one's details.

    ``text`` is the article the flags' offsets index.

    The merged flag covers the union of the spans, takes the highest severity and
    confidence, and lists the other detectors in its evidence. Its message and suggestion
    are those of the most serious flag, preferring one that covers the whole union. Empty spans are dropped. The
    result has no two overlapping flags and is ranked by :func:`rank_key`.
    """
    # An empty span points at nothing a reviewer could fix; it would also "touch" its neighbours.
    ordered = sorted((f for f in flags if f.end > f.start), key=lambda f: (f.start, f.end))
    groups: list[list[Flag]] = []
    group_end = -1
    for flag in ordered:
        if groups and flag.start < group_end:
            groups[-1].append(flag)
            group_end = max(group_end, flag.end)
        else:
            groups.append([flag])
            group_end = flag.end
    merged = []
    for group in groups:
        start, end = min(f.start for f in group), max(f.end for f in group)
        # Among the most serious, one that spans the whole group leads: its suggestion
        # rewrites all the words the merged flag covers.
        lead = min(group, key=lambda f: (-f.severity.rank, (f.start, f.end) != (start, end), *rank_key(f)[1:]))
        if len(group) == 1:
            merged.append(lead)
            continue
        others = sorted({f.detector for f in group if f is not lead})
        evidence = dict(lead.evidence)
        if others:
            evidence["also_flagged_by"] = ", ".join(others)
        merged.append(
            replace(
                lead,
                start=start,
                end=end,
                text=text[start:end],
                confidence=max(f.confidence for f in group),
                evidence=evidence,
            )
        )
    return sorted(merged, key=rank_key)

