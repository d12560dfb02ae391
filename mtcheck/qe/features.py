"""Word-level features of a French machine translation, for quality estimation.

Each whitespace word of each segment gets a set of named features, the kind that word-level
quality estimation has used since QuEst and the WMT baselines: the word itself and its
neighbours, its shape, its class in a French dictionary (Grammalecte's), the classes of the
words around it (English word order shows up as class sequences French rarely has), whether it is copied from the English original, whether an
independent translation of the original into French (Apertium's, the *pseudo-reference*)
has it, whether its back-translation finds the original's words, and what the segment as a
whole looks like. Binary features are present or absent; a few segment features are numbers
in [0, 1].
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..types import DetectionContext
from ..lang import english, french
from ..lang.english import NOT_FRENCH

_WORD = re.compile(r"\S+")
# Characters after which a capital letter starts a sentence or a quote, no error.
_OPENERS = frozenset(".!?:«\"“(…")
# Features copied onto the neighbouring words, as "prev_…" and "next_…".
_SPREAD = ("cap_mid", "in_pseudo", "copied_unknown", "english_word", "unknown_to_engine", "pseudo_missing")


@dataclass(frozen=True)
class WordFeatures:
    """One French word of an article (article offsets) and its features."""

    start: int
    end: int
    text: str
    segment_index: int
    features: dict[str, float]

    @property
    def referenced(self) -> bool:
        """Whether the word's segment renders a reference (an original to compare it with)."""
        return self.features.get("seg_has_reference", 0.0) > 0


WordClasses = Callable[[str], tuple[str, ...]]


def word_class(word: str, classes: WordClasses) -> str:
    """A coarse class of ``word`` from its dictionary readings.

    ``P`` punctuation or figures, ``U`` unknown, ``M`` proper name, ``G`` grammatical word,
    ``V`` verb, ``N`` noun, ``A`` adjective, ``NA`` noun or adjective, ``W`` adverb, ``O`` other.
    """
    if not word:
        return "P"
    elided = french.ELISION.match(word)
    if elided and len(word) > elided.end():  # "d'entendre" is "entendre" to the dictionary
        word = word[elided.end() :]
    tags = classes(word) or classes(word.lower())
    if not tags:
        return "U"
    kinds = {tag[1] for tag in tags if len(tag) > 1}
    if "M" in kinds and kinds <= {"M", "N"} and word[0].isupper():
        return "M"
    if "G" in kinds:
        return "G"
    if any(tag.startswith(":V0") for tag in tags):  # être and avoir ("est" is also a noun)
        return "V"
    if "V" in kinds and not kinds & {"N", "A"}:
        return "V"
    if {"N", "A"} <= kinds:
        return "NA"
    for kind in ("N", "A", "V", "W"):
        if kind in kinds:
            return kind
    return "O"


def article_word_features(context: DetectionContext, classes: WordClasses,
                          references: dict[int, list[tuple[str, float]]] | None = None) -> list[WordFeatures]:
    """Features of every word of every segment of the article in ``context``.

    ``references``: :func:`segment_references` of the context, when the caller has it already.
    """
    references = segment_references(context) if references is None else references
    texts = {r.id: r.text for r in context.references}
    names = _ArticleNames.of(context)
    coverage = len(references) / max(1, len(context.segments))
    words: list[WordFeatures] = []
    for segment in context.segments:
        words.extend(_segment_words(context, segment.index, references.get(segment.index, []), texts, classes,
                                    names, coverage))
    return words


@dataclass(frozen=True)
class _ArticleNames:
    """Capitalised words the article's references contain, and how often the article itself
    capitalises each word inside a sentence: a name used as a name elsewhere, or quoted from
    the original, is not suspect for its capital alone (news is full of them)."""

    in_references: frozenset[str]
    mid_sentence: dict[str, int]

    @classmethod
    def of(cls, context: DetectionContext) -> _ArticleNames:
        in_references = frozenset(w for r in context.references for w in french.WORD.findall(r.text) if w[:1].isupper())
        mid: dict[str, int] = {}
        for segment in context.segments:
            tokens = _WORD.findall(segment.text)
            for previous, token in zip(tokens, tokens[1:]):
                word = _core(token)
                if word[:1].isupper() and previous[-1] not in _OPENERS:
                    mid[word] = mid.get(word, 0) + 1
        return cls(in_references, mid)


def segment_references(context: DetectionContext) -> dict[int, list[tuple[str, float]]]:
    """Segment index → (reference id, similarity) of the references found in it."""
    found: dict[int, list[tuple[str, float]]] = {}
    for alignment in context.alignments:
        if not alignment.found:
            continue
        for rendering in alignment.renderings:
            for index in rendering.segment_indices:
                found.setdefault(index, []).append((alignment.reference.id, rendering.similarity))
    return found


def _segment_words(context: DetectionContext, index: int, ref_ids: Sequence[tuple[str, float]],
                   texts: dict[str, str], classes: WordClasses, names: _ArticleNames,
                   coverage: float) -> list[WordFeatures]:
    segment = context.segments[index]
    reference = " ".join(texts.get(rid, "") for rid, _ in ref_ids)
    pseudo = " ".join(context.reference_translations[rid].text for rid, _ in ref_ids
                      if rid in context.reference_translations)
    ref_words = {w.lower() for w in french.WORD.findall(reference)}
    ref_stems = {english.stem(w) for w in ref_words}
    pseudo_words = {w.lower() for w in french.WORD.findall(pseudo)}
    pseudo_stems = {french.stem(w) for w in pseudo_words}
    back = context.back_translation(index)

    tokens = [(m.start() + segment.start, m.end() + segment.start, m.group()) for m in _WORD.finditer(segment.text)]
    cores = [_core(t[2]) for t in tokens]
    kinds = [word_class(c, classes) for c in cores]
    has_ref = bool(ref_ids)
    n = len(tokens)
    letters = [c for c in cores if c]
    segment_features = {
        "seg_has_reference": float(has_ref),
        "seg_similarity": max((s for _, s in ref_ids), default=0.0) / 100,
        "seg_no_verb": float("V" not in kinds),
        "seg_log_words": math.log1p(n) / 4,
        "seg_capitalised": sum(c[:1].isupper() for c in letters) / max(1, n),
        "seg_pseudo_coverage": (sum(french.stem(c) in pseudo_stems for c in letters) / max(1, len(letters))
                                if has_ref and pseudo_words else 0.0),
        # Share of the article's segments that render a reference: near 1 for a translated
        # document checked against its source, low for news quoting a few originals.
        "doc_reference_coverage": coverage,
    }

    features: list[dict[str, float]] = []
    for i, (start, end, token) in enumerate(tokens):
        word, kind = cores[i], kinds[i]
        lower = word.lower()
        previous = context.text[tokens[i - 1][1] - 1] if i else ""
        linked = [back.text[l.target_start : l.target_end] for l in back.links
                  if l.source_start < end and start < l.source_end]
        f: dict[str, float] = {f"class_{kind}": 1.0}
        flags = {
            "first": i == 0,
            "cap_mid": bool(word) and word[0].isupper() and i > 0 and previous not in _OPENERS,
            "all_caps": len(word) > 1 and word.isupper(),
            "figure": any(ch.isdigit() for ch in token),
            "english_word": lower in NOT_FRENCH,
            "copied": bool(word) and lower in ref_words,
            "copied_unknown": bool(word) and lower in ref_words and kind == "U",
            "copied_capitalised": bool(word) and lower in ref_words and word[0].isupper(),
            "in_pseudo": bool(word) and (lower in pseudo_words or french.stem(word) in pseudo_stems),
            "unknown_to_engine": kind == "U" and any(x.strip("*#@").lower() == lower for x in linked),
            "back_in_reference": has_ref and any(english.stem(x) in ref_stems for x in linked if x.isalpha()),
            "no_back_translation": not linked,
        }
        # English left as it is, against an identifier copied from the original ("dpkg", a model
        # number), which is right: the English word list tells them apart. A name (capitalised)
        # has features of its own, and news, full of copied names, need not read the list.
        flags["copied_unknown_english"] = (flags["copied_unknown"] and word[0].islower()
                                           and english.is_english_word(word))
        capitalised = bool(word) and word[0].isupper()
        flags["name_in_references"] = capitalised and word in names.in_references
        # Used capitalised inside a sentence somewhere else in the article.
        flags["name_elsewhere"] = capitalised and names.mid_sentence.get(word, 0) > int(flags["cap_mid"])
        flags["cap_unexplained"] = (flags["cap_mid"] and not flags["name_in_references"]
                                    and not flags["name_elsewhere"])
        flags["pseudo_missing"] = (has_ref and bool(pseudo_words) and bool(word) and not flags["in_pseudo"]
                                   and kind in ("N", "A", "NA", "V", "U"))
        f.update({name: 1.0 for name, on in flags.items() if on})
        before = kinds[i - 1] if i else "BOS"
        after = kinds[i + 1] if i + 1 < n else "EOS"
        before2 = kinds[i - 2] if i > 1 else "BOS"
        after2 = kinds[i + 2] if i + 2 < n else "EOS"
        f[f"pair_{before}_{kind}"] = 1.0
        f[f"pair_{kind}_{after}:next"] = 1.0
        f[f"triple_{before2}_{before}_{kind}"] = 1.0
        f[f"triple_{before}_{kind}_{after}:mid"] = 1.0
        f[f"triple_{kind}_{after}_{after2}:next"] = 1.0
        # The words themselves and their neighbours, as in the WMT word-level QE baseline:
        # some words (prepositions, determiners, domain terms) are wrong more often than others.
        f[f"word={lower}"] = 1.0
        f[f"word-1={cores[i - 1].lower() if i else '<s>'}"] = 1.0
        f[f"word+1={cores[i + 1].lower() if i + 1 < n else '</s>'}"] = 1.0
        f.update(segment_features)
        features.append(f)
    for i, f in enumerate(features):
        for name in _SPREAD:
            if i and name in features[i - 1]:
                f[f"prev_{name}"] = 1.0
            if i + 1 < n and name in features[i + 1]:
                f[f"next_{name}"] = 1.0
    return [WordFeatures(s, e, t, index, f) for (s, e, t), f in zip(tokens, features)]


def _core(token: str) -> str:
    """The letters of a token, without the punctuation around it ("«Patriotes»," → "Patriotes")."""
    match = french.WORD.search(token)
    return match.group() if match else ""
