"""Where a batch's articles come from: folders, JSONL/CSV/Parquet files, Hugging Face datasets.

Every source is read as a stream, one article at a time, so that a batch's memory does not
grow with its size. An article that cannot be read becomes an :class:`ArticleError` in the
stream (with the file and line), so that one bad row never stops a batch.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..corpus import ARTICLE_NAME, ArticleInput, read_article
from ..errors import InputError, MtcheckError
from ..jsonl import lone_surrogate
from ..types import Reference

TABLE_SUFFIXES = (".jsonl", ".csv", ".parquet")


@dataclass(frozen=True)
class ArticleError:
    """An article of the input that could not be read or checked, and why."""

    id: str
    reason: str
    position: int = 0


@dataclass(frozen=True)
class Columns:
    """Which columns of a table or dataset hold the article's id, text and references."""

    id: str = "id"
    text: str = "text"
    references: str = "references"


def iter_articles(source: str | Path, columns: Columns = Columns(), split: str | None = None
                  ) -> Iterator[ArticleInput | ArticleError]:
    """Articles of ``source``, in input order: a folder of article folders, a table file, or a dataset.

    What is wrong with the source as a whole (a mistyped path, a table without the text
    column, an empty file) is raised here, before anything is read or written; what is wrong
    with one row is that row's :class:`ArticleError`.
    """
    _check_source(Path(source), columns)
    return _articles(source, columns, split)


def _check_source(path: Path, columns: Columns) -> None:
    if not path.exists():
        # A hub dataset name has no local parent folder; "corpora/artciles" beside a real
        # "corpora/" is a typo, not a name to look up on the hub (30 s of retries).
        if path.suffix.lower() in TABLE_SUFFIXES or str(path).startswith((".", "/", "~")) or (
                len(path.parts) > 1 and path.parent.is_dir()):
            raise InputError(path, "no such file or folder")
        return
    suffix = path.suffix.lower()
    if path.is_file() and suffix in TABLE_SUFFIXES:
        if path.stat().st_size == 0 or (suffix in (".jsonl", ".csv") and not _has_a_line(path)):
            raise InputError(path, "holds no articles (the file is empty)")
        header = _table_columns(path)
        if header is not None and columns.text not in header:
            raise InputError(path, f"has no {columns.text!r} column (columns: {', '.join(header) or 'none'}); "
                                   "name the French text column with --text-column")
        if suffix == ".jsonl":
            fields = _first_rows_fields(path)
            if fields and not any(columns.text in row for row in fields):
                seen = sorted(set().union(*fields))
                raise InputError(path, f"none of its first {len(fields)} rows has a {columns.text!r} field (fields: "
                                       f"{', '.join(seen) or 'none'}); name the French text column with --text-column")


def _first_rows_fields(path: Path, rows: int = 20) -> list[set[str]]:
    """The field names of the first ``rows`` object rows of a JSONL file that parse. Rows may
    differ, so one row without the text field is that row's error; none among the first rows
    is a mistyped column name, refused before any work rather than failing every row."""
    fields: list[set[str]] = []
    for _, row in _jsonl_rows(path):
        if isinstance(row, Mapping):
            fields.append(set(map(str, row)))
            if len(fields) == rows:
                break
    return fields


def _has_a_line(path: Path) -> bool:
    """Whether a text file holds a non-blank line; reads only up to the first one."""
    with path.open("rb") as handle:
        return any(line.strip() for line in handle)


def _table_columns(path: Path) -> list[str] | None:
    """The column names of a CSV or Parquet file (None for JSONL, whose rows may differ)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            header = next(csv.reader(handle), [])
        if any(_NOT_UTF8.search(name) for name in header):
            raise InputError(path, f"the header is not valid UTF-8; {_SAVE_AS_UTF8}", line=1)
        return header
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(path, f"cannot read Parquet: {exc}") from None
    return None


def _articles(source: str | Path, columns: Columns, split: str | None) -> Iterator[ArticleInput | ArticleError]:
    path = Path(source)
    saved_dataset = (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists()
    if path.is_dir() and saved_dataset:
        yield from _from_dataset(str(path), columns, split, on_disk=True)
    elif path.is_dir():
        yield from _from_folders(path)
    elif path.suffix.lower() in TABLE_SUFFIXES:
        if not path.exists():
            raise InputError(path, "no such file")
        reader = {".jsonl": _jsonl_rows, ".csv": _csv_rows, ".parquet": _parquet_rows}[path.suffix.lower()]
        for position, (line, row) in enumerate(reader(path)):
            yield _row_article(row, columns, position, f"{path}:{line}")
    elif path.exists():
        raise InputError(path, f"expected a folder of article folders, a {'/'.join(TABLE_SUFFIXES)} file "
                               "or a saved dataset")
    else:
        yield from _from_dataset(str(source), columns, split, on_disk=False)


def count_articles(source: str | Path) -> int | None:
    """How many articles ``source`` holds, when that is cheap to know (for the progress bar's ETA)."""
    path = Path(source)
    try:
        if path.is_dir() and not (path / "dataset_info.json").exists():
            return sum(1 for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as handle:
                return sum(1 for line in handle if line.strip())
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # a count is only a nicety; reading reports the real problem
        return None
    return None


def _from_folders(root: Path) -> Iterator[ArticleInput | ArticleError]:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(root, f"holds no article folders (each with an {ARTICLE_NAME})")
    for position, folder in enumerate(folders):
        try:
            # The references' language is checked when the article is (not for a stored result).
            yield replace(read_article(folder, check_language=False), position=position)
        except MtcheckError as exc:
            yield ArticleError(folder.name, str(exc), position)


# Bytes that are not UTF-8 are read as lone surrogates (U+DC80–U+DCFF) and refused row by row:
# one mis-encoded row must not stop a batch that has checked the rows before it.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_SAVE_AS_UTF8 = "save the table as UTF-8"


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors="surrogateescape") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            if (bad := _NOT_UTF8.search(line)) is not None:
                yield n, InputError(path, f"not valid UTF-8 (column {bad.start() + 1}); {_SAVE_AS_UTF8}", line=n)
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, InputError(path, f"malformed JSON: {exc.msg} (column {exc.colno})", line=n)
                continue
            if (problem := lone_surrogate(line, row)) is not None:
                yield n, InputError(path, problem, line=n)
                continue
            yield n, row


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(1 << 27)  # whole articles live in one cell
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            bad = next((name for name, value in row.items() if isinstance(value, str) and _NOT_UTF8.search(value)), None)
            if bad is not None:
                yield reader.line_num, InputError(path, f"the {bad!r} cell is not valid UTF-8; {_SAVE_AS_UTF8}",
                                                  line=reader.line_num)
            else:
                yield reader.line_num, row


def _parquet_rows(path: Path) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise InputError(path, f"cannot read Parquet: {exc}") from None
    row = 0
    for batch in table.iter_batches(batch_size=256):
        for record in batch.to_pylist():
            row += 1
            yield row, record


def _from_dataset(name: str, columns: Columns, split: str | None, on_disk: bool
                  ) -> Iterator[ArticleInput | ArticleError]:
    import datasets

    try:
        if on_disk:
            data = datasets.load_from_disk(name)
        else:
            data = datasets.load_dataset(name, split=split, streaming=True)
    except FileNotFoundError:
        raise InputError(name, "no such file, folder or dataset") from None
    except Exception as exc:  # the hub and the loaders raise many types; the message says what happened
        raise InputError(name, f"cannot load dataset: {exc}") from None
    if isinstance(data, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        if split is None:
            if len(data) != 1:
                raise InputError(name, f"has splits {', '.join(data)}; choose one with --split")
            split = next(iter(data))
        if split not in data:
            raise InputError(name, f"has no split {split!r} (it has {', '.join(data)})")
        data = data[split]
    for position, row in enumerate(data):
        yield _row_article(row, columns, position, f"{name}[{position}]")


def row_id(row: Mapping[str, Any], columns: Columns, position: int) -> str:
    """A table row's article id: its id column, else its place in the table."""
    return str(row.get(columns.id) or f"row-{position + 1}")


def _row_article(row: Any, columns: Columns, position: int, where: str) -> ArticleInput | ArticleError:
    fallback_id = f"row-{position + 1}"
    if isinstance(row, InputError):
        return ArticleError(fallback_id, str(row), position)
    if not isinstance(row, Mapping):
        return ArticleError(fallback_id, f"{where}: each row must be an object with a {columns.text!r} field",
                            position)
    article_id = row_id(row, columns, position)
    text = row.get(columns.text)
    if _missing(text):
        return ArticleError(article_id, f"{where}: no {columns.text!r} text (columns: {', '.join(map(str, row))})",
                            position)
    if not isinstance(text, str):
        return ArticleError(article_id, f"{where}: the {columns.text!r} field holds {type(text).__name__} "
                                        f"{str(text)[:40]!r}, not the article's text", position)
    if not text.strip():
        return ArticleError(article_id, f"{where}: the article is empty", position)
    try:
        references = parse_references(row.get(columns.references), where)
    except InputError as exc:
        return ArticleError(article_id, str(exc), position)
    return ArticleInput(id=article_id, text=text, references=references, path=None, position=position,
                        references_source=where)


def _missing(value: Any) -> bool:
    """A cell with nothing in it: absent, or pandas' NaN (as a CSV or Parquet written by pandas has)."""
    return value is None or (isinstance(value, float) and value != value)


def parse_references(value: Any, where: str) -> tuple[Reference, ...]:
    """References from a cell: a list of strings or of objects with ``text``, or that list as JSON."""
    if _missing(value):
        return ()
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return ()
        if stripped[0] in "[{":
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise InputError(where, f"references are not valid JSON: {exc.msg}") from None
            if (problem := lone_surrogate(stripped, value)) is not None:
                raise InputError(where, f"the references {problem}")
        else:
            value = [stripped]
    if isinstance(value, Mapping):
        value = [value]
    refs = []
    for n, item in enumerate(value, 1):
        if isinstance(item, str) and item.strip():
            refs.append(Reference(id=f"ref-{n}", text=item.strip()))
        elif isinstance(item, Mapping) and isinstance(item.get("text"), str) and item["text"].strip():
            refs.append(Reference(id=str(item.get("id") or f"ref-{n}"), text=item["text"].strip(),
                                  source=item.get("source"), speaker=item.get("speaker"), url=item.get("url")))
        else:
            raise InputError(where, f"reference {n} has no text")
    return tuple(refs)
