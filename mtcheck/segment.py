"""French sentence segmentation with exact character offsets.

pySBD finds the sentence boundaries; mtcheck adds what news text needs on top of it:
offsets that always index the original text, paragraphs, splitting of multi-sentence
quotations that pySBD keeps whole, and the id of the quotation each sentence belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import pysbd

from .types import Segment

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0\u200b\r]*\n")
_OPENING_QUOTES = {"«": "»", "“": "”"}
_CLOSING_QUOTES = {v: k for k, v in _OPENING_QUOTES.items()}
# Inside a quotation pySBD does not split; a sentence end there is final punctuation
# followed by space and an upper-case letter (or an opening quote).
_INNER_BOUNDARY = re.compile(r"(?<=[.!?…])[\s\u00a0]+(?=[«“\"]?[A-ZÀ-ÖØ-Þ])")


@dataclass
class FrenchSegmenter:
    """Splits French text into :class:`Segment` values whose offsets index the input."""

    language: str = "fr"

    @cached_property
    def _pysbd(self) -> pysbd.Segmenter:
        return pysbd.Segmenter(language=self.language, clean=False, char_span=False)

    @property
    def signature(self) -> str:
        return f"pysbd-{pysbd.__version__ if hasattr(pysbd, '__version__') else '0.3'}+mtcheck-quotes"

    def segment(self, text: str) -> list[Segment]:
        spans: list[tuple[int, int, int]] = []
        for paragraph, (p_start, p_end) in enumerate(_paragraphs(text)):
            for s, e in self._sentence_spans(text, p_start, p_end):
                spans.append((s, e, paragraph))
        quotes = _quote_ids(text, spans)
        return [
            Segment(index=i, text=text[s:e], start=s, end=e, paragraph=p, quote=quotes[i])
            for i, (s, e, p) in enumerate(spans)
        ]

    def _sentence_spans(self, text: str, p_start: int, p_end: int) -> Iterator[tuple[int, int]]:
        paragraph = text[p_start:p_end]
        cursor = 0
        for sentence in self._pysbd.segment(paragraph):
            stripped = sentence.strip()
            if not stripped:
                continue
            found = paragraph.find(stripped, cursor)
            if found < 0:  # pySBD altered the text: fall back to the rest of the paragraph
                found = cursor + len(paragraph[cursor:]) - len(paragraph[cursor:].lstrip())
                end = found + len(stripped)
            else:
                end = found + len(stripped)
            cursor = end
            yield from _split_inside_quotes(text, p_start + found, p_start + end)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield from _trimmed(text, start, match.start())
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _split_inside_quotes(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a sentence at boundaries that lie inside a quotation."""
    depth = 0
    cuts = []
    for i in range(start, end):
        ch = text[i]
        if ch in _OPENING_QUOTES:
            depth += 1
        elif ch in _CLOSING_QUOTES and depth:
            depth -= 1
        if depth:
            match = _INNER_BOUNDARY.match(text, i + 1) if ch in ".!?…" else None
            if match and match.end() < end:
                cuts.append((i + 1, match.end()))
    piece_start = start
    for cut_end, next_start in cuts:
        yield piece_start, cut_end
        piece_start = next_start
    yield piece_start, end


def _quote_ids(text: str, spans: list[tuple[int, int, int]]) -> list[str | None]:
    """Give every sentence that lies (partly) inside a quotation the id of that quotation."""
    ids: list[str | None] = []
    open_quote: str | None = None
    count = 0
    for start, end, _ in spans:
        current = open_quote
        for ch in text[start:end]:
            if ch in _OPENING_QUOTES and open_quote is None:
                count += 1
                open_quote = f"q{count}"
                current = current or open_quote
            elif ch in _CLOSING_QUOTES and open_quote is not None:
                open_quote = None
        ids.append(current)
    return ids


def segment(text: str) -> list[Segment]:
    """Segment French ``text`` into sentences; ``text[s.start:s.end] == s.text`` for each."""
    return FrenchSegmenter().segment(text)
