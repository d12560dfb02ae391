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
from typing import NamedTuple

import numpy as np

from sacrebleu.metrics import CHRF
from sacrebleu.metrics.helpers import extract_all_char_ngrams

from .lang.words import word_spans
from .segment import sentence_spans
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

    A long reference (a speech) is often quoted by one sentence only, whose chrF against the
    whole speech is low however close the rendering. A reference still unaligned is compared
    sentence by sentence with the segments no reference claims; its best sentence, at
    ``threshold`` or above, is aligned with that segment and the rendering carries the sentence
    (``reference_part``), against which it is scored and checked. (A free segment's usual lower
    bar, ``weak_threshold``, paired sentences of speeches with the wrong French sentences.)

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

    def align(self, back_translations: Sequence[BackTranslation], references: Sequence[Reference]) -> list[Alignment]:
        windows = list(_segment_windows(back_translations, self.max_window))
        singles = [w for w in windows if len(w.segment_indices) == 1]
        # One n-gram cache per article: texts rarely recur across articles, and a batch must
        # not grow with every article it has seen.
        chrf = CachedCHRF()
        similarity = chrf.matrix([w.back_translation for w in windows], [r.text for r in references])
        candidates = {}
        for j, ref in enumerate(references):
            scored = [Rendering(*w[:4], similarity=float(similarity[i, j]), method=w.method)
                      for i, w in enumerate(windows)]
            for bt, runs in _sub_spans(back_translations, ref.text, scored):
                similarity_of_runs = chrf.substring_scores(bt.text, [run[:2] for run in runs], ref.text)
                scored += [Rendering((bt.segment.index,), fr_start, fr_end, bt.text[t_start:t_end], float(sim),
                                     "chrF:sub-segment")
                           for (t_start, t_end, fr_start, fr_end), sim in zip(runs, similarity_of_runs)]
            scored.sort(key=lambda r: (-_ranking(r), r.start))
            candidates[ref.id] = scored
        claimed = {rid: scored[0] for rid, scored in candidates.items()
                   if scored and scored[0].similarity >= self.threshold}
        alignments = [self._choose(ref, candidates[ref.id], claimed) for ref in references]
        alignments = self._align_parts(alignments, singles, chrf)
        return self._fill_gaps(alignments, candidates, len(back_translations))

    def _align_parts(self, alignments: list[Alignment], singles: list[_Candidate], chrf: CachedCHRF) -> list[Alignment]:
        """A speech not found whole: its sentence that a segment renders at ``threshold`` or
        above, where no other reference claims that segment."""
        aligned = list(alignments)
        for k, alignment in enumerate(alignments):
            used = {i for a in aligned for i in a.segment_indices}
            free = [w for w in singles if w.segment_indices[0] not in used]
            sentences = reference_sentences(alignment.reference.text) if not alignment.found and free else []
            if len(sentences) < 2:
                continue
            similarity = chrf.matrix([w.back_translation for w in free], sentences)
            i, j = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
            if similarity[i, j] < self.threshold:
                continue
            w, value = free[i], float(similarity[i, j])
            rendering = Rendering(w.segment_indices, w.start, w.end, w.back_translation, value,
                                  "chrF:reference-sentence", reference_part=sentences[j])
            aligned[k] = Alignment(alignment.reference, (rendering,), value,
                                   note=f"renders sentence {j + 1} of the reference's {len(sentences)}")
        return aligned

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
    """sacrebleu's sentence chrF for many pairs at once, each text's n-grams extracted once.

    The aligner compares every reference with every candidate passage (whole segments,
    runs of segments, word runs inside a segment); sacrebleu's ``sentence_score`` would
    extract the same n-grams thousands of times and count matches pair by pair in Python.
    The statistics and the score formula are sacrebleu's (tested against it).
    """

    def __init__(self) -> None:
        self._metric = CHRF()
        self._ngrams: dict[str, list[tuple[dict, int]]] = {}
        self._indexes: dict[str, tuple[np.ndarray, list[tuple[dict[str, np.ndarray], int]]]] = {}

    def _grams(self, text: str) -> list[tuple[dict, int]]:
        grams = self._ngrams.get(text)
        if grams is None:
            orders = extract_all_char_ngrams(text, self._metric.char_order, self._metric.whitespace)
            grams = self._ngrams[text] = [(counts, sum(counts.values())) for counts in orders]
        return grams

    def matrix(self, hypotheses: Sequence[str], references: Sequence[str]) -> np.ndarray:
        """chrF of every hypothesis against every reference, as sacrebleu's sentence chrF gives it.

        Only the references' n-grams can match, so each hypothesis is counted once against
        their joint vocabulary and the minima are taken with numpy, instead of one Python loop
        per pair: the aligner's window search is hypotheses × references.
        """
        if not hypotheses or not references:
            return np.zeros((len(hypotheses), len(references)))
        hyp = [self._grams(h) for h in hypotheses]
        ref = [self._grams(r) for r in references]
        orders = len(ref[0])
        n_hyp = np.array([[n for _, n in g] for g in hyp], dtype=float)[:, None, :]
        n_ref = np.array([[n for _, n in g] for g in ref], dtype=float)[None, :, :]
        matched = np.zeros((len(hyp), len(ref), orders))
        for k in range(orders):
            vocabulary: dict = {}
            columns = [[vocabulary.setdefault(gram, len(vocabulary)) for gram in g[k][0]] for g in ref]
            ref_counts = [np.fromiter(g[k][0].values(), dtype=float, count=len(g[k][0])) for g in ref]
            hyp_counts = np.zeros((len(hyp), len(vocabulary)))
            for i, g in enumerate(hyp):
                row = hyp_counts[i]
                for gram, count in g[k][0].items():
                    column = vocabulary.get(gram)
                    if column is not None:
                        row[column] = count
            for j, (cols, counts) in enumerate(zip(columns, ref_counts)):
                matched[:, j, k] = np.minimum(hyp_counts[:, cols], counts).sum(axis=1)
        return _chrf_from_statistics(np.where(n_ref > 0, n_hyp, 0.0), np.broadcast_to(n_ref, matched.shape),
                                     matched, self._metric.beta)

    def substring_scores(self, text: str, spans: Sequence[tuple[int, int]], reference: str) -> np.ndarray:
        """chrF against ``reference`` of each ``text[start:end]``, as sacrebleu's sentence chrF gives it.

        Runs inside one segment share its n-grams: the segment is indexed once (where each
        n-gram occurs) and a run's matches are the reference n-grams occurring inside it, so
        no run is tokenised on its own.
        """
        if not spans:
            return np.zeros(0)
        position, occurrences = self._index(text)
        starts = position[[a for a, _ in spans]]
        ends = position[[b for _, b in spans]]
        ref = self._grams(reference)
        n_hyp = np.zeros((len(spans), len(ref)))
        n_ref = np.zeros((len(spans), len(ref)))
        matched = np.zeros((len(spans), len(ref)))
        for k, ((ref_counts, ref_total), (found, n_grams)) in enumerate(zip(ref, occurrences)):
            n = k + 1
            first = np.minimum(starts, n_grams)
            last = np.maximum(np.minimum(ends - n + 1, n_grams), first)  # one past the run's last n-gram start
            n_hyp[:, k] = (last - first) if ref_total else 0
            n_ref[:, k] = ref_total
            for gram, ref_count in ref_counts.items():
                at = found.get(gram)
                if at is not None:
                    inside = np.searchsorted(at, last) - np.searchsorted(at, first)
                    matched[:, k] += np.minimum(inside, ref_count)
        return _chrf_from_statistics(n_hyp, n_ref, matched, self._metric.beta)

    def _index(self, text: str) -> tuple[np.ndarray, list[tuple[dict[str, np.ndarray], int]]]:
        """Where each character n-gram of ``text`` starts (whitespace removed, as chrF does).

        Also, for every index of ``text``, the position in the whitespace-free text of the
        first character at or after it.
        """
        index = self._indexes.get(text)
        if index is None:
            kept = [i for i, ch in enumerate(text) if not ch.isspace()]
            stripped = "".join(text[i] for i in kept)
            position = np.searchsorted(np.array(kept, dtype=int), np.arange(len(text) + 1))
            occurrences = []
            for n in range(1, self._metric.char_order + 1):
                where: dict[str, list[int]] = {}
                for p in range(len(stripped) - n + 1):
                    where.setdefault(stripped[p : p + n], []).append(p)
                occurrences.append(({g: np.array(ps) for g, ps in where.items()}, max(0, len(stripped) - n + 1)))
            index = self._indexes[text] = (position, occurrences)
        return index


def _chrf_from_statistics(n_hyp: np.ndarray, n_ref: np.ndarray, matched: np.ndarray, beta: float) -> np.ndarray:
    """sacrebleu's ``CHRF._compute_f_score`` (effective-order averaging), over arrays of statistics."""
    eps = 1e-16
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(n_hyp > 0, matched / n_hyp, eps)
        recall = np.where(n_ref > 0, matched / n_ref, eps)
        effective = (n_hyp > 0) & (n_ref > 0)
        orders = effective.sum(axis=-1)
        avg_precision = np.where(orders > 0, np.where(effective, precision, 0.0).sum(axis=-1) / orders, 0.0)
        avg_recall = np.where(orders > 0, np.where(effective, recall, 0.0).sum(axis=-1) / orders, 0.0)
        factor = beta**2
        score = (1 + factor) * avg_precision * avg_recall / (factor * avg_precision + avg_recall)
    return np.where(avg_precision + avg_recall > 0, 100 * score, 0.0)


def _ranking(r: Rendering) -> float:
    if r.method == "chrF:sub-segment":
        return r.similarity - 3.0
    return r.similarity - 3.0 * (len(r.segment_indices) - 1)


def _overlaps(a: Rendering, b: Rendering) -> bool:
    return a.start < b.end and b.start < a.end


class _Candidate(NamedTuple):
    """A passage not yet scored: the fields of a :class:`Rendering` but its similarity."""

    segment_indices: tuple[int, ...]
    start: int
    end: int
    back_translation: str
    method: str


def _segment_windows(bts: Sequence[BackTranslation], max_window: int) -> Iterator[_Candidate]:
    for i in range(len(bts)):
        for n in range(1, max_window + 1):
            run = bts[i : i + n]
            if len(run) < n:
                break
            yield _Candidate(
                tuple(bt.segment.index for bt in run),
                run[0].segment.start,
                run[-1].segment.end,
                " ".join(bt.text for bt in run),
                "chrF:segment" if n == 1 else f"chrF:{n}-segments",
            )


def _sub_spans(bts: Sequence[BackTranslation], reference: str, scored: list[Rendering], top: int = 3,
               best_runs: int = 3) -> Iterator[tuple[BackTranslation, list[tuple[int, int, int, int]]]]:
    """Word runs inside the few segments most like the reference, about the reference's length.

    Yields each segment with its runs: English start and end in the back-translation,
    French start and end in the article.

    Runs are first ranked by the share of their words' character trigrams found in the
    reference (prefix sums, linear in the segment); only the best few of each length
    (:func:`_best_runs`) go on to chrF, rather than one chrF per word position.
    """
    lowered = reference.lower()
    ref_trigrams = {lowered[k : k + 3] for k in range(len(lowered) - 2)} | set(lowered.split())
    n_ref = len(word_spans(reference))
    singles = sorted((r for r in scored if len(r.segment_indices) == 1), key=lambda r: -r.similarity)[:top]
    by_index = {bt.segment.index: bt for bt in bts}
    for cand in singles:
        bt = by_index[cand.segment_indices[0]]
        words = word_spans(bt.text)
        if n_ref > 0.7 * len(words):
            continue  # the reference is about as long as the segment: the segment itself competes
        hits = [0.0]
        for w_start, w_end in words:
            hits.append(hits[-1] + _trigram_share(bt.text[w_start:w_end].lower(), ref_trigrams))
        runs = []
        for length in sorted({max(1, round(n_ref * f)) for f in (0.8, 1.0, 1.25)}):
            for i in sorted(_best_runs(hits, length, best_runs)):
                t_start, t_end = words[i][0], words[i + length - 1][1]
                span = bt.french_span(t_start, t_end)
                if span is not None:
                    runs.append((t_start, t_end, *span))
        if runs:
            yield bt, runs


def _best_runs(hits: list[float], length: int, best: int) -> set[int]:
    """Starts of the runs of ``length`` words that share most with the reference.

    The ``best`` runs, and the ``best`` peaks that overlap one another by less than half
    (the same quote may occur twice in a segment), each with its neighbours one word either
    side so that chrF still chooses the exact boundary.
    """
    starts = sorted(range(len(hits) - length), key=lambda i: hits[i] - hits[i + length])
    peaks: list[int] = []
    for i in starts:
        if all(2 * abs(i - j) >= length for j in peaks):
            peaks.append(i)
            if len(peaks) == best:
                break
    return set(starts[:best]) | {k for i in peaks for k in (i - 1, i, i + 1) if 0 <= k < len(starts)}


def _trigram_share(word: str, reference_trigrams: set[str]) -> float:
    """Share of a word's character trigrams found in the reference: a cheap stand-in for chrF."""
    grams = [word[k : k + 3] for k in range(max(1, len(word) - 2))]
    return sum(g in reference_trigrams for g in grams) / len(grams)


# Sentences of fewer words say too little to stand for a reference on their own.
_PART_MIN_WORDS = 5


def reference_sentences(text: str) -> list[str]:
    """The sentences of an English reference, each of at least ``_PART_MIN_WORDS`` words (a
    shorter one joins the sentence before it, or after it when it comes first)."""
    parts: list[str] = []
    for start, end in sentence_spans(text, 0, len(text)):
        sentence = text[start:end].strip()
        if not sentence:
            continue
        if parts and (len(sentence.split()) < _PART_MIN_WORDS or len(parts[-1].split()) < _PART_MIN_WORDS):
            parts[-1] = f"{parts[-1]} {sentence}"
        else:
            parts.append(sentence)
    return parts


def align(back_translations: Sequence[BackTranslation], references: Sequence[Reference]) -> list[Alignment]:
    """Align every reference with the passages that render it (see :class:`ReferenceAligner`)."""
    return ReferenceAligner().align(back_translations, references)
