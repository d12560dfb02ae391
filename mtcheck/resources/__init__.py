"""What the package reads at run time: lexicons, the word-QE model, the sample, the schema, templates.

Everything here is read through :mod:`importlib.resources`, so a wheel installed anywhere
finds the same files as a checkout. A bundled resource that cannot be read is an error that
names it: an install missing a lexicon must not quietly become a weaker tool.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from ..errors import MtcheckError

SAMPLE = "ukraine-atacms"
T = TypeVar("T")


class ResourceError(MtcheckError):
    """A file that ships inside the package is missing or unreadable: the install is broken."""


def bundled(*parts: str) -> Traversable:
    """The bundled resource at ``parts`` (``bundled("models", "detection.json")``); it must exist."""
    node = resources.files(__name__)
    for part in parts:
        node = node.joinpath(part)
    if not (node.is_file() or node.is_dir()):
        raise ResourceError(f"bundled resource mtcheck/resources/{'/'.join(parts)} is missing: "
                            "reinstall mtcheck (pip install --force-reinstall mtcheck)")
    return node


def read_bundled(*parts: str) -> str:
    """The text of a bundled file."""
    return _read(parts, lambda node: node.read_text(encoding="utf-8"))


def read_bundled_bytes(*parts: str) -> bytes:
    """The bytes of a bundled file (for a parser that reads UTF-8 itself: no decoding twice)."""
    return _read(parts, lambda node: node.read_bytes())


def _read(parts: tuple[str, ...], read: Callable[[Traversable], T]) -> T:
    try:
        return read(bundled(*parts))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceError(f"bundled resource mtcheck/resources/{'/'.join(parts)} cannot be read: {exc}") from None


def bundled_files(folder: str, suffix: str) -> list[tuple[str, Traversable]]:
    """The bundled files of ``folder`` ending in ``suffix``, by name; an empty folder is an error."""
    found = sorted((f.name, f) for f in bundled(folder).iterdir() if f.name.endswith(suffix) and f.is_file())
    if not found:
        raise ResourceError(f"bundled folder mtcheck/resources/{folder} holds no *{suffix} file: reinstall mtcheck")
    return found


def bundled_path(*parts: str) -> Path:
    """A bundled file or folder as a filesystem path (every install from a wheel or a checkout has one)."""
    node = bundled(*parts)
    if not isinstance(node, Path):
        raise ResourceError(f"mtcheck/resources/{'/'.join(parts)} is inside a zip archive; install mtcheck "
                            "from its wheel (pip install) rather than importing it from a zip")
    return node


def sample_folder() -> Path:
    """The bundled sample article folder (article.fr.txt, references.en.jsonl, awkward-spans.jsonl)."""
    return bundled_path("samples", SAMPLE)
