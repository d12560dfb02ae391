"""French sentence segmentation with exact character offsets.

A rule-based segmenter for news text: boundaries are sentence-final punctuation
followed by a plausible sentence start, with the exceptions French news needs
(abbreviations, initials, dotted acronyms, ellipses inside brackets, attributions after
a quote, embed residue). Language knowledge lives in :mod:`mtcheck.lang.french`.

Offsets always index the input as given: for plain text ``text[s.start:s.end] == s.text``,
and the segments plus the gaps between them rebuild the input. Markdown and HTML are
reduced to their visible text first; their segments hold the visible text while
``start``/``end`` still index the original markup.

pySBD was the first choice (a well-kept rule-based library), but it never splits inside
quotations and cannot map its output back to offsets reliably; see benchmarks/RESULTS.md
for how each segmenter fares on the gold set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .lang import french
from .segment_type import Segment

_SPACE = " \t\r\n\u00a0\u202f\u2009\u2007\u200b\u200c\u200d\u2060\ufeff"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\u00a0\u200b]*\n\s*")
_CLOSERS = frozenset(")]\"'’") | french.CLOSING_QUOTES
_OPENERS = frozenset("([\"'") | frozenset(french.OPENING_QUOTES)
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_INITIAL = re.compile(r"[A-ZÀ-Ý]")


# Longer sentences are cut into windows: engines truncate or loop on inputs far beyond what
# they were trained on (opus-mt: 512 tokens, about 2,000 characters of French), and word
# linking and several detectors cost more than linear time in a sentence's length. A news
# sentence is 100–300 characters; one over 1,000 is a list, a table or text without punctuation.
MAX_SENTENCE_CHARS = 1000


@dataclass(frozen=True)
class FrenchSegmenter:
    """Splits French news text into :class:`Segment` values whose offsets index the input.

    A sentence longer than ``max_chars`` is cut into windows at clause breaks (comma,
    semicolon, colon, dash) or else at a space; :meth:`window_warnings` says which.
    """

    input_format: str = "text"  # text, markdown or html
    max_chars: int = MAX_SENTENCE_CHARS

    @property
    def signature(self) -> str:
        return f"mtcheck-fr-rules-2|format:{self.input_format}|window:{self.max_chars}"

    def segment(self, text: str) -> list[Segment]:
        plain, origin = _visible_text(text, self.input_format)
        spans: list[tuple[int, int, int, int]] = []
        for paragraph, (p_start, p_end) in enumerate(_paragraphs(plain)):
            for s, e in sentence_spans(plain, p_start, p_end):
                pieces = list(windows(plain, s, e, self.max_chars)) if e - s > self.max_chars else [(s, e)]
                for number, (ws, we) in enumerate(pieces, start=1):
                    spans.append((ws, we, paragraph, number if len(pieces) > 1 else 0))
        quotes = _quote_ids(plain, [(s, e, p) for s, e, p, _ in spans])
        segments = []
        for i, (s, e, p, window) in enumerate(spans):
            start, end = (s, e) if origin is None else (origin[s], origin[e - 1] + 1)
            segments.append(Segment(index=i, text=plain[s:e], start=start, end=end, paragraph=p, quote=quotes[i],
                                    window=window))
        return segments

    def window_warnings(self, segments: Sequence[Segment]) -> Iterator[str]:
        """One warning per sentence that was cut into windows, naming its place and length."""
        group: list[Segment] = []
        for seg in [*segments, None]:
            if group and (seg is None or seg.window <= 1):
                first, last = group[0], group[-1]
                yield (f"the sentence at characters {first.start:,}-{last.end:,} is {last.end - first.start:,} "
                       f"characters long: checked in {len(group)} windows of at most {self.max_chars:,} "
                       "characters, cut at clause or word breaks")
                group = []
            if seg is not None and seg.window:
                group.append(seg)


def segment(text: str, input_format: str = "text") -> list[Segment]:
    """Segment French ``text`` (``text``, ``markdown`` or ``html``) into sentences with offsets."""
    return FrenchSegmenter(input_format).segment(text)


def guess_format(path: str) -> str:
    """The input format a file name suggests."""
    lower = path.lower()
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    return "text"


# --- boundaries -------------------------------------------------------------------------


def sentence_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of ``text[start:end]`` (one paragraph), trimmed of spaces."""
    piece_start = start
    i = start
    while i < end:
        ch = text[i]
        if ch in french.TERMINATORS:
            boundary = _boundary_after_terminator(text, i, start, end)
            if boundary is not None:
                sentence_end, next_start = boundary
                yield from _trimmed(text, piece_start, sentence_end)
                piece_start = i = next_start
                continue
            i = _skip_run(text, i, end)
            continue
        if ch == "\n" and _boundary_at_newline(text, i, piece_start, end):
            yield from _trimmed(text, piece_start, i)
            piece_start = i + 1
        i += 1
    yield from _trimmed(text, piece_start, end)


def _starts_line(text: str, pos: int, start: int) -> bool:
    return pos == start or text[pos - 1] == "\n"


def _boundary_after_embed(text: str, i: int, end: int) -> tuple[int, int] | None:
    """Embed residue ("pic.twitter.com/4VZu4JpzxG") ends its sentence when a capital follows."""
    match = french.EMBED_RESIDUE.match(text, _token_start(text, i))
    if not match or match.end() >= end:
        return None
    m = match.end()
    while m < end and text[m] in _SPACE:
        m += 1
    if m > match.end() and m < end and (text[m].isupper() or text[m] in french.OPENING_QUOTES):
        return match.end(), m
    return None


def _token_start(text: str, i: int) -> int:
    while i > 0 and text[i - 1] not in _SPACE:
        i -= 1
    return i


def _skip_run(text: str, i: int, end: int) -> int:
    while i < end and text[i] in french.TERMINATORS:
        i += 1
    return i


def _boundary_after_terminator(text: str, i: int, start: int, end: int) -> tuple[int, int] | None:
    """(end of this sentence, start of the next) when the terminator at ``i`` ends a sentence."""
    j = _skip_run(text, i, end)
    term = text[i:j]
    k = j
    # Closing quotes and brackets belong to the sentence, also across a French typographic space.
    while k < end:
        if text[k] in _CLOSERS:
            k += 1
            continue
        m = k
        while m < end and text[m] in "\u00a0\u202f ":
            m += 1
        if m < end and m > k and text[m] in french.CLOSING_QUOTES:
            k = m + 1
            continue
        break
    if k < end and text[k] not in _SPACE:
        return _boundary_after_embed(text, i, end)  # "3.5", "U.S.-made", "?»," … but see embeds
    m = k
    while m < end and text[m] in _SPACE:
        m += 1
    if m >= end:
        return k, m
    nxt = text[m]
    word_before = _word_before(text, i, start)
    next_word = _word_after(text, m, end)
    ellipsis = term in ("...", "…") or term.endswith(("..", "…"))
    if ellipsis and i > start and text[i - 1] in "([":
        return None  # "(...)" marks a cut inside a quotation
    if term == ".":
        if word_before in french.ABBREVIATIONS or word_before.lower() in {"etc"} and nxt.islower():
            return None
        if _INITIAL.fullmatch(word_before) and nxt.isupper() and next_word not in french.SENTENCE_STARTERS:
            return None  # "J. K. Rowling", but "sur X. L’échange…" ends a sentence
        if word_before.isdigit() and _starts_line(text, i - len(word_before), start):
            return None  # "1. Accueil des délégations": a numbered list item
        if _ACRONYM.fullmatch(word_before):
            if next_word not in french.SENTENCE_STARTERS and nxt not in french.OPENING_QUOTES:
                return None  # "U.S. officials", "les U.S. Marines"
    if nxt.isupper() or nxt.isdigit() or nxt in french.OPENING_QUOTES or nxt in '"(' or nxt in french.BULLETS:
        return k, m
    if nxt.islower() and text[m - 1] == "\n" and term != ".":
        return k, m
    return None


def _word_before(text: str, i: int, start: int) -> str:
    j = i
    while j > start and text[j - 1] not in _SPACE and text[j - 1] not in _OPENERS:
        j -= 1
    return text[j:i]


def _word_after(text: str, m: int, end: int) -> str:
    j = m
    while j < end and text[j] not in _SPACE and text[j] not in ",;:":
        j += 1
    word = text[m:j]
    for elided in ("L’", "L'", "J’", "J'"):
        if word.startswith(elided):
            return elided
    return word


def _boundary_at_newline(text: str, i: int, piece_start: int, end: int) -> bool:
    """A single line break ends a sentence before a list item, or after a title-like line."""
    before = text[piece_start:i].rstrip(_SPACE)
    after = text[i + 1 : end].lstrip(_SPACE)
    if not before or not after:
        return False
    if after.startswith(french.BULLETS) or re.match(r"\d+[.)]\s", after):
        return True
    if before[-1] in ",;:(-–—" or before[-1].islower() and after[0].islower():
        return False
    return after[0].isupper() or after[0].isdigit() or after[0] in french.OPENING_QUOTES


_CLAUSE_BREAK = re.compile(r"[,;:\u2013\u2014)](?=\s)")


def windows(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` cut into trimmed pieces of at most ``max_chars``, each at the last
    clause break, else the last space, in its second half; a hard cut only where there is none.

    Linear in the length: each cut searches one window once.
    """
    while end - start > max_chars:
        limit = start + max_chars
        half = start + max_chars // 2
        cut = None
        for match in _CLAUSE_BREAK.finditer(text, half, limit):
            cut = match.end()
        if cut is None:
            space = max(text.rfind(ch, half, limit) for ch in " \t\n\u00a0")
            cut = space + 1 if space > half else limit
        yield from _trimmed(text, start, cut)
        start = cut
    yield from _trimmed(text, start, end)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield from _trimmed(text, start, match.start())
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    if end > start:
        yield start, end


def _quote_ids(text: str, spans: Sequence[tuple[int, int, int]]) -> list[str | None]:
    """Give every sentence that lies (partly) inside a quotation the id of that quotation."""
    ids: list[str | None] = []
    open_quote: str | None = None
    count = 0
    for start, end, _ in spans:
        current = open_quote
        for pos in range(start, end):
            ch = text[pos]
            opening = ch in french.OPENING_QUOTES or (
                ch == '"' and open_quote is None and (pos == 0 or text[pos - 1] in _SPACE + "(")
            )
            if opening and open_quote is None:
                count += 1
                open_quote = f"q{count}"
                current = current or open_quote
            elif (ch in french.CLOSING_QUOTES or ch == '"') and open_quote is not None:
                open_quote = None
        ids.append(current)
    return ids


def _visible_text(text: str, input_format: str) -> tuple[str, list[int] | None]:
    """The visible text and, for markup, the original offset of each of its characters."""
    if input_format == "text":
        return text, None
    if input_format in ("html", "markdown"):
        # Only markup needs html.parser and html.entities: a third of `mtcheck segment`'s start.
        from .markup import visible_text

        return visible_text(text, input_format)
    raise ValueError(f"unknown input format {input_format!r}; use text, markdown or html")
