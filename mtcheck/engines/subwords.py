"""Subword bookkeeping shared by the neural engines.

Marian/NLLB tokenizers are sentencepiece models without offset mappings, so character
spans are recovered by matching pieces left to right; English words are runs of pieces
that start with the ``▁`` mark, and each word is linked to the French word it attends to.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..types import TokenScore, Translation, WordLink
from ..lang.words import word_spans

SPACE_MARK = "▁"


def piece_spans(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character span in ``text`` of each sentencepiece piece, found left to right.

    A piece that the tokenizer normalised beyond recognition gets an empty span at the cursor.
    """
    spans = []
    cursor = 0
    for piece in pieces:
        surface = piece.replace(SPACE_MARK, "")
        found = text.find(surface, cursor) if surface else -1
        if found >= 0 and not text[cursor:found].strip():
            spans.append((found, found + len(surface)))
            cursor = found + len(surface)
        else:
            spans.append((cursor, cursor))
    return spans


def attention_links(
    english: str,
    tgt_pieces: Sequence[str],
    attention: list[list[float]],
    source: str,
    src_pieces: Sequence[str],
) -> tuple[WordLink, ...]:
    tgt_spans = piece_spans(english, tgt_pieces)
    src_spans = piece_spans(source, src_pieces)
    src_words = word_spans(source)
    links = []
    word: list[int] = []
    for j, piece in enumerate(list(tgt_pieces) + [SPACE_MARK]):
        if word and (piece.startswith(SPACE_MARK) or j == len(tgt_pieces)):
            start, end = tgt_spans[word[0]][0], tgt_spans[word[-1]][1]
            if end > start and src_spans:
                weights = [sum(attention[t][k] for t in word) for k in range(len(src_spans))]
                best = max(range(len(weights)), key=weights.__getitem__)
                s, e = _expand_to_word(src_spans[best], src_words)
                if e > s:
                    links.append(WordLink(start, end, s, e))
            word = []
        if j < len(tgt_pieces):
            word.append(j)
    return tuple(links)


def _expand_to_word(span: tuple[int, int], words: list[tuple[int, int]]) -> tuple[int, int]:
    s, e = span
    for ws, we in words:
        if ws <= s < we or (s == e and ws <= s <= we):
            return ws, max(we, e)
    return s, e


def build_translation(
    engine: str,
    source: str,
    src_pieces: Sequence[str],
    tgt_pieces: Sequence[str],
    english: str,
    logprobs: Sequence[float],
    attention: list[list[float]],
) -> Translation:
    """A :class:`Translation` from pieces without special tokens, their log-probabilities
    and the target×source attention matrix over those pieces."""
    scores = tuple(TokenScore(p, float(lp)) for p, lp in zip(tgt_pieces, logprobs))
    links = attention_links(english, tgt_pieces, attention, source, src_pieces)
    return Translation(text=english, engine=engine, token_scores=scores, links=links)
