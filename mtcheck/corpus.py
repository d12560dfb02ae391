"""Reading articles and their English references from disk.

An *article folder* holds ``article.fr.txt`` and, optionally, ``references.en.jsonl``
(or ``references.en.tsv`` / ``.csv`` / ``.txt``); it is the unit of a batch. Every
reader error names the file and, where it has one, the line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .files import read_article_text, read_text
from .jsonl import lone_surrogate
from .types import Reference

ARTICLE_NAME = "article.fr.txt"
REFERENCE_NAMES = ("references.en.jsonl", "references.en.tsv", "references.en.csv", "references.en.txt")


@dataclass(frozen=True)
class ArticleInput:
    """One article to check: its French text, its references, and where they came from."""

    id: str
    text: str
    references: tuple[Reference, ...]
    path: Path | None = None
    position: int = 0  # place in a batch's input, so that outputs keep the input's order
    # Where the references were read from (a file, or a table's row), for messages.
    references_source: Path | str | None = None


def read_references(path: str | Path) -> list[Reference]:
    """Read references from JSONL (``text`` and optional ``id``, ``source``, ``speaker``, ``url``),
    TSV or CSV (``id`` and ``text`` columns, or a header row naming the columns) or plain text
    (one quote a line)."""
    path = Path(path)
    text = read_text(path)
    if path.suffix == ".jsonl":
        refs = _references_from_jsonl(path, text)
    elif path.suffix.lower() in (".tsv", ".csv"):
        refs = _references_from_table(path, text, "\t" if path.suffix.lower() == ".tsv" else ",")
    else:
        refs = [
            Reference(id=f"ref-{n}", text=line.strip())
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
    if not refs:  # an empty file is a step that went wrong, not an article without references
        raise InputError(path, "holds no references (remove the file, or leave out --refs, "
                               "to check without references)", line=1)
    seen: dict[str, int] = {}
    for n, ref in enumerate(refs, 1):
        if ref.id in seen:
            raise InputError(path, f"duplicate reference id {ref.id!r}", line=n)
        seen[ref.id] = n
    return refs


def _references_from_jsonl(path: Path, text: str) -> list[Reference]:
    refs = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", line=n) from None
        if not isinstance(obj, dict):
            raise InputError(path, "each line must be a JSON object", line=n)
        if (problem := lone_surrogate(line, obj)) is not None:
            raise InputError(path, problem, line=n)
        ref_text = obj.get("text")
        if not isinstance(ref_text, str) or not ref_text.strip():
            raise InputError(path, 'missing a non-empty "text" field', line=n)
        refs.append(
            Reference(
                id=str(obj.get("id") or f"ref-{n}"),
                text=ref_text.strip(),
                source=obj.get("source"),
                speaker=obj.get("speaker"),
                url=obj.get("url"),
            )
        )
    return refs


def _references_from_table(path: Path, text: str, delimiter: str) -> list[Reference]:
    """TSV or CSV: ``id`` and ``text`` columns, or a header row naming them (a spreadsheet's export)."""
    kind, separated = ("TSV", "tab-separated") if delimiter == "\t" else ("CSV", "comma-separated")
    try:
        # newline="" semantics: CR, LF and CRLF all end a row, as in the file itself.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(path, f"not valid {kind}: {exc}") from None
    header = [c.strip().lower() for c in rows[0]] if rows else []
    has_header = "text" in header
    refs = []
    for n, row in enumerate(rows, 1):
        if (has_header and n == 1) or not any(c.strip() for c in row):
            continue
        if has_header:
            record = dict(zip(header, row))
            if not record.get("text", "").strip():
                raise InputError(path, 'empty "text" column', line=n)
            refs.append(Reference(id=record.get("id") or f"ref-{n}", text=record["text"].strip(),
                                  source=record.get("source") or None, speaker=record.get("speaker") or None,
                                  url=record.get("url") or None))
        elif len(row) == 2 and row[1].strip():
            refs.append(Reference(id=row[0].strip() or f"ref-{n}", text=row[1].strip()))
        else:
            raise InputError(path, f"expected 2 {separated} columns (id, text), or a header row naming a text "
                                   f"column, found {len(row)} columns", line=n)
    return refs


def require_english(path: Path | str, refs: tuple[Reference, ...]) -> None:
    """References are the English originals; French ones (a common mix-up) would align with nothing."""
    from .lang.identify import identify

    guess = identify(" ".join(r.text for r in refs))
    if guess.language != "en" and guess.probability >= 0.9:
        raise InputError(path, f"the references read as {guess.language!r}, not English; they must be the "
                               "English originals that the article quotes")


def find_references(folder: Path) -> Path | None:
    """The references file of an article folder, if it has one."""
    for name in REFERENCE_NAMES:
        if (folder / name).exists():
            return folder / name
    return None


def read_article(path: str | Path, references: str | Path | None = None, *,
                 check_language: bool = True) -> ArticleInput:
    """Read an article file or article folder, with references from ``references`` or the folder.

    ``check_language``: refuse references that read as another language than English (False:
    leave that to the caller, who may know these exact references passed it before)."""
    path = Path(path)
    if path.is_dir():
        article_path = path / ARTICLE_NAME
        if not article_path.exists():
            raise InputError(path, f"article folder has no {ARTICLE_NAME}")
        ref_path = Path(references) if references else find_references(path)
        article_id = path.name
    else:
        article_path = path
        ref_path = Path(references) if references else None
        article_id = path.stem.removesuffix(".fr")
    text = read_article_text(article_path)
    refs = tuple(read_references(ref_path)) if ref_path else ()
    if refs and check_language:
        require_english(ref_path, refs)
    return ArticleInput(id=article_id, text=text, references=refs, path=article_path, references_source=ref_path)
