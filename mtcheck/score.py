"""sacrebleu scores for aligned pairs and for whole articles or corpora.

Every number comes from sacrebleu's own metric classes with their default settings
(BLEU with 13a tokenisation, chrF++ i.e. word order 2, TER), so that it can be
reproduced with sacrebleu's command line and cited with the signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sacrebleu.metrics import BLEU, CHRF, TER

from .types import Alignment, MetricScore, PairScores

METRICS = ("bleu", "chrf", "ter")
_MAX_KEPT_STATS = 200_000


@dataclass
class Scorer:
    """Scores back-translations against references with BLEU, chrF++ and TER."""

    _bleu: BLEU = field(default_factory=BLEU, init=False)
    _sentence_bleu: BLEU = field(default_factory=lambda: BLEU(effective_order=True), init=False)
    _chrf: CHRF = field(default_factory=lambda: CHRF(word_order=2), init=False)
    _ter: TER = field(default_factory=TER, init=False)
    # Each (metric, hypothesis, reference)'s sufficient statistics, computed once: the article
    # and corpus scores sum the pairs' statistics as sacrebleu's corpus_score does, instead of
    # recomputing them (TER's shifts are most of the scoring time).
    _stats: dict[tuple[str, str, str], Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        # sacrebleu learns the number of references from the first evaluation and cannot
        # print a signature before one; mtcheck always scores against one reference, so
        # one throwaway evaluation makes signatures available for articles without any.
        for metric in (self._bleu, self._sentence_bleu, self._chrf, self._ter):
            metric.corpus_score(["-"], [["-"]])

    def pair_scores(self, alignments: Sequence[Alignment]) -> list[PairScores]:
        """One :class:`PairScores` per rendering of every found reference."""
        pairs = []
        for alignment in alignments:
            for rendering in alignment.renderings:
                hyp, ref = rendering.back_translation, alignment.rendered_text(rendering)
                pairs.append(
                    PairScores(
                        reference_id=alignment.reference.id,
                        segment_indices=rendering.segment_indices,
                        hypothesis=hyp,
                        reference=ref,
                        metrics={
                            "bleu": self._sentence_bleu._aggregate_and_compute([self._stat("bleu", hyp, ref)]).score,
                            "chrf": self._chrf._aggregate_and_compute([self._stat("chrf", hyp, ref)]).score,
                            "ter": self._ter._aggregate_and_compute([self._stat("ter", hyp, ref)]).score,
                        },
                    )
                )
        return pairs

    def corpus_scores(self, pairs: Sequence[PairScores]) -> dict[str, MetricScore]:
        """Corpus-level BLEU, chrF++ and TER over ``pairs`` (an article, or many articles)."""
        if not pairs:
            return {}
        out = {}
        for name, metric in (("bleu", self._bleu), ("chrf", self._chrf), ("ter", self._ter)):
            result = metric._aggregate_and_compute([self._stat(name, p.hypothesis, p.reference) for p in pairs])
            out[name] = MetricScore(name=name, score=result.score, signature=str(metric.get_signature()))
        return out

    def _stat(self, name: str, hypothesis: str, reference: str) -> Any:
        """sacrebleu's segment statistics, as its sentence_score and corpus_score compute them.
        BLEU's are shared by the sentence and corpus metric: effective order changes only how
        the counts are combined."""
        key = (name, hypothesis, reference)
        found = self._stats.get(key)
        if found is None:
            if len(self._stats) >= _MAX_KEPT_STATS:  # a long batch: keep memory flat
                self._stats.clear()
            metric = {"bleu": self._bleu, "chrf": self._chrf, "ter": self._ter}[name]
            found = self._stats[key] = metric._extract_corpus_statistics([hypothesis], [[reference]])[0]
        return found

    def signatures(self) -> dict[str, str]:
        """sacrebleu signatures of the sentence-level metrics used for pairs."""
        return {
            "bleu": str(self._sentence_bleu.get_signature()),
            "chrf": str(self._chrf.get_signature()),
            "ter": str(self._ter.get_signature()),
        }
