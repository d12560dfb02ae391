"""Text to source pieces and target pieces to text: all the ct2 engine needs of a tokenizer.

CTranslate2 takes and gives token strings, so a tokenizer's ids never matter there. For the
Marian models (Helsinki-NLP's opus-mt, the default) that is two sentencepiece models and a
vocabulary; importing transformers' ``MarianTokenizer`` for it costs about 1.8 s of every
process, torch included, which a batch of a few hundred sentences would spend more on than on
anything but decoding. This module gives the same
pieces and the same text as ``MarianTokenizer`` (tests compare them on real sentences); a
tokenizer it cannot match exactly (separate vocabularies, added tokens of its own) is left to
transformers (:class:`TransformersPieces`); :func:`load_pieces` picks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

_SPIECE_UNDERLINE = "▁"
_DEFAULT_SPECIALS = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}


class Pieces(Protocol):
    model_max_length: int
    special_tokens: frozenset[str]

    def encode(self, text: str, max_length: int) -> list[str]: ...

    def decode(self, pieces: list[str]) -> str: ...


def load_pieces(folder: Path) -> Pieces:
    """The model's tokenizer: sentencepiece alone where it matches transformers exactly."""
    return marian_pieces(folder) or TransformersPieces(folder)


@dataclass
class TransformersPieces:
    """Any tokenizer transformers can load, through ``AutoTokenizer``."""

    folder: Path
    special_tokens: frozenset[str] = field(init=False)
    _tokenizer: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from transformers import AutoTokenizer

        from .base import tokenizer_loading

        with tokenizer_loading():
            self._tokenizer = AutoTokenizer.from_pretrained(self.folder)
        self.special_tokens = frozenset(self._tokenizer.all_special_tokens)

    @property
    def model_max_length(self) -> int:
        return int(self._tokenizer.model_max_length)

    def encode(self, text: str, max_length: int) -> list[str]:
        return self._tokenizer.convert_ids_to_tokens(
            self._tokenizer(text, truncation=True, max_length=max_length)["input_ids"])

    def decode(self, pieces: list[str]) -> str:
        return self._tokenizer.convert_tokens_to_string(pieces)


@dataclass
class MarianPieces:
    """``MarianTokenizer``'s encoding and decoding, from the model folder's files."""

    folder: Path
    eos: str = "</s>"
    unk: str = "<unk>"
    pad: str = "<pad>"
    model_max_length: int = 512
    special_tokens: frozenset[str] = field(init=False)
    _source: Any = field(init=False, repr=False)
    _target: Any = field(init=False, repr=False)
    _vocabulary: frozenset[str] = field(init=False, repr=False)
    _special_split: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        import sentencepiece

        self._source = sentencepiece.SentencePieceProcessor(model_file=str(self.folder / "source.spm"))
        self._target = sentencepiece.SentencePieceProcessor(model_file=str(self.folder / "target.spm"))
        self._vocabulary = frozenset(json.loads((self.folder / "vocab.json").read_text(encoding="utf-8")))
        self.special_tokens = frozenset((self.eos, self.unk, self.pad))
        # Longest first, as transformers' trie matches: one special token never splits another.
        specials = sorted(self.special_tokens, key=len, reverse=True)
        self._special_split = re.compile("(" + "|".join(re.escape(s) for s in specials) + ")")

    def encode(self, text: str, max_length: int) -> list[str]:
        """The source pieces of ``text`` with the end token, at most ``max_length`` of them, as
        ``convert_ids_to_tokens(tokenizer(text, truncation=True, max_length=...)["input_ids"])``."""
        pieces: list[str] = []
        for part in self._special_split.split(text):
            if not part:
                continue
            if part in self.special_tokens:
                pieces.append(part)
                continue
            code, rest = _language_code(part)
            # A piece the vocabulary lacks has no id: the model reads it as the unknown token.
            pieces += [p if p in self._vocabulary else self.unk for p in code + self._source.encode(rest, out_type=str)]
        return pieces[: max(0, max_length - 1)] + [self.eos]

    def decode(self, pieces: list[str]) -> str:
        """The English text of target ``pieces`` (special tokens kept as words), as
        ``MarianTokenizer.convert_tokens_to_string``."""
        out, run = "", []
        for piece in pieces:
            if piece in self.special_tokens:
                out += self._target.decode_pieces(run) + piece + " "
                run = []
            else:
                run.append(piece)
        out += self._target.decode_pieces(run)
        return out.replace(_SPIECE_UNDERLINE, " ").strip()


def _language_code(text: str) -> tuple[list[str], str]:
    """A leading ``>>xx<<`` is a target-language token, not text (MarianTokenizer.remove_language_code)."""
    if text.startswith(">>") and (end := text.find("<<")) != -1:
        return [text[: end + 2]], text[end + 2 :]
    return [], text


def marian_pieces(folder: Path) -> MarianPieces | None:
    """The folder's tokenizer read with sentencepiece alone, or None when only transformers can
    read it exactly (not a Marian tokenizer, separate source and target vocabularies, added
    tokens beyond the three specials, tokens that strip the spaces around them)."""
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict) or config.get("tokenizer_class") != "MarianTokenizer":
        return None
    if config.get("separate_vocabs") or config.get("target_vocab_file") or config.get("additional_special_tokens"):
        return None
    if not all((folder / name).is_file() for name in ("source.spm", "target.spm", "vocab.json")):
        return None
    specials = {key: config.get(key, default) for key, default in _DEFAULT_SPECIALS.items()}
    if not all(isinstance(value, str) for value in specials.values()):
        return None  # an AddedToken written as a dict, with its own stripping rules
    added = config.get("added_tokens_decoder", {})
    if not isinstance(added, dict):
        return None
    for token in added.values():
        if not isinstance(token, dict) or token.get("content") not in specials.values():
            return None
        if token.get("lstrip") or token.get("rstrip") or token.get("single_word"):
            return None
    max_length = config.get("model_max_length", 512)
    if not isinstance(max_length, int) or max_length > 1_000_000:  # transformers' "no limit" sentinel
        return None
    return MarianPieces(folder, eos=specials["eos_token"], unk=specials["unk_token"], pad=specials["pad_token"],
                        model_max_length=max_length)
