"""Aligning English references with the French segments that render them.

The comparison happens in English, between each reference and the back-translation
of candidate French passages (the Bleualign idea). Candidates are one segment, a run of
up to ``max_window`` consecutive segments (one English sentence split in two), or a run
of words inside one segment (a quote that is only part of a French sentence). A
reference may be rendered more than once (the same tweet quoted twice) and in any order;
one that matches nothing well enough is kept, with an empty ``segment_indices``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from sacrebleu.metrics import CHRF
from sacrebleu.metrics.helpers import extract_all_char_ngrams

from .engines.base import word_spans
from .types import Alignment, BackTranslation, Reference, Rendering


@dataclass
class ReferenceAligner:
    """Finds, for every reference, the passages whose back-translation resembles it most.

    ``threshold`` is the chrF a passage needs to count as a rendering; between
    ``weak_threshold`` and ``threshold`` it counts only when no other reference claims
    that passage (short quotes translated loosely score low, yet stand alone).
    ``repeat_ratio`` is how close to the best a second, non-overlapping passage must come
    to count as the same reference rendered again. Ranking prefers whole segments: a
    multi-segment run or a sub-span wins only when it is clearly closer, and a run never
    swallows a segment that another reference claims on its own.

    Last, as in Bleualign, gaps are filled: a reference still unaligned whose neighbours in
    the reference list are aligned on both sides of exactly one free segment is aligned
    with (a part of) that segment when it reaches ``gap_threshold``. Quotes are usually
    rendered in order, so position is evidence when a loose translation hides the wording.
    """

    threshold: float = 35.0
    weak_threshold: float = 20.0
    gap_threshold: float = 10.0
    repeat_ratio: float = 0.8
    max_window: int = 3

    def __post_init__(self) -> None:
        self._chrf = CachedCHRF()

    def align(self, back_translations: Sequence[BackTranslation], references: Sequence[Reference]) -> list[Alignment]:
        windows = list(_segment_windows(back_translations, self.max_window))
        candidates = {}
        for ref in references:
            scored = [self._scored(c, ref.text) for c in windows]
            scored += [self._scored(c, ref.text) for c in _sub_spans(back_translations, ref.text, scored)]
            scored.sort(key=lambda r: (-_ranking(r), r.start))
            candidates[ref.id] = scored
        claimed = {rid: scored[0] for rid, scored in candidates.items()
                   if scored and scored[0].similarity >= self.threshold}
        alignments = [self._choose(ref, candidates[ref.id], claimed) for ref in references]
        return self._fill_gaps(alignments, candidates, len(back_translations))

    def _scored(self, candidate: Rendering, reference: str) -> Rendering:
        return replace(candidate, similarity=self._chrf.score(candidate.back_translation, reference))

    def _choose(self, ref: Reference, scored: list[Rendering], claimed: dict[str, Rendering]) -> Alignment:
        others = [r for rid, r in claimed.items() if rid != ref.id]
        taken = {r.segment_indices[0] for r in others if len(r.segment_indices) == 1}
        scored = [r for r in scored if len(r.segment_indices) == 1 or not taken & set(r.segment_indices)]
        best = scored[0].similarity if scored else 0.0
        weak_but_free = best >= self.weak_threshold and not any(_overlaps(scored[0], c) for c in others)
        if best < self.threshold and not weak_but_free:
            return Alignment(ref, (), best, note="not found in the article")
        floor = min(best, max(self.threshold, self.repeat_ratio * best))
        chosen: list[Rendering] = []
        for cand in scored:
            if cand.similarity < floor:
                continue
            if not any(_overlaps(cand, other) for other in chosen):
                chosen.append(cand)
        chosen.sort(key=lambda r: r.start)
        note = f"rendered {len(chosen)} times" if len(chosen) > 1 else None
        return Alignment(ref, tuple(chosen), best, note=note)


    def _fill_gaps(self, alignments: list[Alignment], candidates: dict[str, list[Rendering]],
                   n_segments: int) -> list[Alignment]:
        used = {i for a in alignments for i in a.segment_indices}
        filled = list(alignments)
        for k, alignment in enumerate(alignments):
            if alignment.found:
                continue
            before = next((a for a in reversed(filled[:k]) if a.found), None)
            if before is None:
                continue
            renderings = []
            for prev in before.renderings:
                after_start = max(prev.segment_indices) + 1
                following = [r for a in filled[k + 1 :] if a.found for r in a.renderings
                             if min(r.segment_indices) >= after_start]
                if not following:
                    continue
                nxt = min(min(r.segment_indices) for r in following)
                free = [i for i in range(after_start, nxt) if i not in used]
                if len(free) != 1 or nxt - after_start != 1:
                    continue
                inside = [r for r in candidates[alignment.reference.id] if r.segment_indices == (free[0],)]
                if inside and inside[0].similarity >= self.gap_threshold:
                    renderings.append(replace(inside[0], method=inside[0].method + "+gap"))
            if renderings:
                used.update(i for r in renderings for i in r.segment_indices)
                note = f"rendered {len(renderings)} times" if len(renderings) > 1 else None
                filled[k] = Alignment(alignment.reference, tuple(renderings),
                                      max(r.similarity for r in renderings), note=note)
        return filled


class CachedCHRF:
    """sacrebleu's sentence chrF, with each text's character n-grams extracted only once.

    The aligner compares every reference with every candidate passage; sacrebleu's
    ``sentence_score`` would extract the same n-grams thousands of times.
    """

    def __init__(self) -> None:
        self._metric = CHRF()
        self._ngrams: dict[str, list] = {}

    def _grams(self, text: str) -> list:
        grams = self._ngrams.get(text)
        if grams is None:
            grams = self._ngrams[text] = extract_all_char_ngrams(text, self._metric.char_order, self._metric.whitespace)
        return grams

    def score(self, hypothesis: str, reference: str) -> float:
        stats: list[int] = []
        for h, r in zip(self._grams(hypothesis), self._grams(reference)):
            stats.extend(CHRF._get_match_statistics(h, r))
        return self._metric._compute_score_from_stats(stats).score


def _ranking(r: Rendering) -> float:
    if r.method == "chrF:sub-segment":
        return r.similarity - 3.0
    return r.similarity - 3.0 * (len(r.segment_indices) - 1)


def _overlaps(a: Rendering, b: Rendering) -> bool:
    return a.start < b.end and b.start < a.end


def _segment_windows(bts: Sequence[BackTranslation], max_window: int) -> Iterator[Rendering]:
    for i in range(len(bts)):
        for n in range(1, max_window + 1):
            run = bts[i : i + n]
            if len(run) < n:
                break
            yield Rendering(
                segment_indices=tuple(bt.segment.index for bt in run),
                start=run[0].segment.start,
                end=run[-1].segment.end,
                back_translation=" ".join(bt.text for bt in run),
                similarity=0.0,
                method="chrF:segment" if n == 1 else f"chrF:{n}-segments",
            )


def _sub_spans(bts: Sequence[BackTranslation], reference: str, scored: list[Rendering], top: int = 3):
    """Word runs inside the few segments most like the reference, about the reference's length."""
    n_ref = len(word_spans(reference))
    singles = sorted((r for r in scored if len(r.segment_indices) == 1), key=lambda r: -r.similarity)[:top]
    by_index = {bt.segment.index: bt for bt in bts}
    for cand in singles:
        bt = by_index[cand.segment_indices[0]]
        words = word_spans(bt.text)
        if n_ref > 0.7 * len(words):
            continue  # the reference is about as long as the segment: the segment itself competes
        for length in {max(1, round(n_ref * f)) for f in (0.8, 1.0, 1.25)}:
            for i in range(0, len(words) - length + 1):
                t_start, t_end = words[i][0], words[i + length - 1][1]
                span = bt.french_span(t_start, t_end)
                if span is None:
                    continue
                yield Rendering(
                    segment_indices=cand.segment_indices,
                    start=span[0],
                    end=span[1],
                    back_translation=bt.text[t_start:t_end],
                    similarity=0.0,
                    method="chrF:sub-segment",
                )


def align(back_translations: Sequence[BackTranslation], references: Sequence[Reference]) -> list[Alignment]:
    """Align every reference with the passages that render it (see :class:`ReferenceAligner`)."""
    return ReferenceAligner().align(back_translations, references)
