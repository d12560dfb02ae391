"""French grammar errors found by Grammalecte (optional: Debian's python3-grammalecte)."""

from __future__ import annotations

from typing import ClassVar

from dataclasses import dataclass, field

from ..engines.cache import TranslationCache, cached_analyses
from ..errors import ConfigError
from ..lang.grammalecte import grammalecte_checker, grammalecte_version
from ..types import Category, Flag, Severity
from .base import BaseDetector, DetectionContext, Need

# Typography (non-breaking spaces, dashes, ellipsis character, units, commas, dots in
# acronyms, a paragraph's first capital, superscript ordinals) is house style, not translation quality; on the WMT20
# dev data the comma, acronym and paragraph-capital rules flag annotated words at or below the
# base rate (0.18–0.35, against 0.58 for the other rules).
_TYPOGRAPHY = ("nbsp", "typo", "unit", "esp", "apos", "num_", "tab_", "eepi", "maj_", "p_sigle", "g0__virg",
               "majuscule_début_paragraphe", "g2__typo_ordinaux")
# Rules whose guesses flag annotated words below the base rate (0.22) on all 1,268 WMT20 dev
# documents: imperatives missing their "s" are list items in the indicative ("Comprend deux
# piles", 49 words, 0.14); "on" before a non-verb (11, 0.09); compound colours (10, 0.20).
# A past participle agreeing with the antecedent of "que" depends on which noun that is,
# which Grammalecte guesses ("le plan de la victoire que j'ai présenté": 1 of 4 on the dev data,
# and wrong on a professional translation of the sample article).
_UNRELIABLE = ("gv1__imp_verbe_", "g2__conf_on_non_verbe", "g3__gn_couleurs_composées",
               "gv1__ppas_det_plur_COD_que_avoir", "gv1__ppas_det_sing_COD_que_avoir")


@dataclass
class GrammarDetector(BaseDetector):
    """Flags Grammalecte's grammar errors (agreement, conjugation, …), typography and unreliable rules left out.

    Checking is slow (tens of milliseconds a paragraph); with a cache (the translation
    cache's file, given by the :class:`~mtcheck.Checker`) each paragraph is checked once.
    """

    name: str = field(default="grammar", init=False)
    needs: ClassVar[frozenset[Need]] = frozenset({Need.GRAMMALECTE, Need.CACHE})
    cache: TranslationCache | None = None

    def __post_init__(self) -> None:
        version = grammalecte_version()
        if version is None:
            raise ConfigError("the grammar detector needs Grammalecte (Debian: apt-get install python3-grammalecte)")
        self.signature = f"grammalecte|{version}|{','.join(_TYPOGRAPHY + _UNRELIABLE)}"

    def detect(self, context: DetectionContext) -> list[Flag]:
        paragraphs: dict[int, list] = {}
        for seg in context.segments:
            paragraphs.setdefault(seg.paragraph, []).append(seg)
        starts = [segs[0].start for segs in paragraphs.values()]
        texts = [context.text[segs[0].start : segs[-1].end] for segs in paragraphs.values()]
        errors = self._errors(texts)
        flags = []
        for start, paragraph in zip(starts, texts):
            for err in errors[paragraph]:
                s, e = start + err["start"], start + err["end"]
                flags.append(Flag(
                    start=s, end=e, text=context.text[s:e], category=Category.GRAMMAR, severity=Severity.MINOR,
                    message=err["message"], detector=self.name, evidence={"rule": err["rule"]},
                    suggestion=err["suggestion"], confidence=0.6,
                ))
        return flags

    def _errors(self, paragraphs: list[str]) -> dict[str, list[dict]]:
        return cached_analyses(self.cache, self.signature, paragraphs, self._check)

    def _check(self, paragraph: str) -> list[dict]:
        result = grammalecte_checker().getParagraphErrors(paragraph)  # built on first use
        errors = result[0] if isinstance(result, tuple) else result
        return [
            {"start": err["nStart"], "end": err["nEnd"], "rule": err["sRuleId"], "message": err["sMessage"],
             "suggestion": (err.get("aSuggestions") or [""])[0]}
            for err in errors
            if not err["sRuleId"].startswith(_TYPOGRAPHY + _UNRELIABLE)
        ]
