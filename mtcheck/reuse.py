"""What ``mtcheck check`` printed, kept by everything that decided it, so that checking an
unchanged article again prints the same output without building the checker.

A warm check through the translation cache still loads the detectors, the detection model,
Grammalecte and the language identifier and reruns every stage after translation: about a
second for the sample. The key here is made without any of that: the article and its
references as read; every option, with the content of the files they name; and the state of
what is installed (mtcheck's own files, the Python packages, the Debian packages, the model's
files), read from file sizes and modification times rather than by importing or loading
anything. Whatever changes one of them changes the key, and the article is checked anew.

Kept outputs live beside the translation cache, in ``check-outputs/``; ``--no-cache`` neither
reads nor writes them and ``mtcheck cache clear`` removes them. The key's part without the
article (:func:`settings_state`) also keys the run signature a batch remembers in its output
folder (:mod:`mtcheck.batch.unchanged`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .corpus import ArticleInput
from .engine_names import DEFAULT_MODEL
from .files import atomic_write, default_cache_dir, file_state, tree_state
from .lang.apertium import MODE_DIRS
from .lang.grammalecte import DEBIAN_DIST_PACKAGES
from .version import __version__

FOLDER_NAME = "check-outputs"
# Enough for every article a user rechecks in a working session; the oldest go first.
KEPT_AT_MOST = 200
# Environment variables that can change which model is found or how it is loaded.
_ENVIRONMENT_PREFIXES = ("HF_", "HUGGINGFACE_", "TRANSFORMERS_", "MTCHECK_", "CT2_")
_PACKAGE = Path(__file__).resolve().parent
_DPKG_STATUS = Path("/var/lib/dpkg/status")


@dataclass(frozen=True)
class KeptOutput:
    """One check's standard output and the lines it wrote on standard error.

    Each stderr line says whether ``--quiet`` hides it (the engine message) or not (warnings).
    """

    stdout: str
    stderr: tuple[tuple[bool, str], ...] = ()

    def stderr_lines(self, quiet: bool) -> list[str]:
        return [line for hidden_when_quiet, line in self.stderr if not (quiet and hidden_when_quiet)]


@dataclass(frozen=True)
class CheckOutputs:
    """The folder of kept outputs (see the module's text)."""

    folder: Path
    kept_at_most: int = KEPT_AT_MOST

    @cached_property
    def _installed(self) -> dict[str, Any]:  # changes rarely within one process: read once per store
        return installed_state()

    @classmethod
    def beside(cls, cache_path: str | Path | None) -> CheckOutputs:
        """The kept outputs beside the translation cache file ``cache_path`` (None: the default one)."""
        folder = Path(cache_path).parent if cache_path else default_cache_dir()
        return cls(folder / FOLDER_NAME)

    def key(self, article: ArticleInput, settings: Mapping[str, Any]) -> str:
        """The key of checking ``article`` with ``settings`` (every option that can change the output,
        as the command line resolved them: engine, model, config file, lexicons, flag model,
        detectors, severity floor, input and output format, width, colour)."""
        record = {
            **settings_state(settings, self._installed),
            "article": [article.id, str(article.path or ""), article.text,
                        [[r.id, r.text, r.source, r.speaker, r.url] for r in article.references]],
        }
        return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, key: str) -> KeptOutput | None:
        """The output kept under ``key``, or None (never kept, removed, or unreadable)."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return KeptOutput(stdout=data["stdout"], stderr=tuple((bool(h), str(l)) for h, l in data["stderr"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged file is a miss: the article is checked again and the file rewritten

    def put(self, key: str, output: KeptOutput) -> None:
        """Keep ``output`` under ``key``; the oldest outputs beyond ``kept_at_most`` are removed."""
        atomic_write(self.folder / f"{key}.json",
                     json.dumps({"stdout": output.stdout, "stderr": [list(e) for e in output.stderr]},
                                ensure_ascii=False))
        self._prune()

    def count(self) -> int:
        return sum(1 for _ in self._files())

    def clear(self) -> int:
        removed = 0
        for path in self._files():
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    def _files(self) -> Iterable[Path]:
        return self.folder.glob("*.json") if self.folder.is_dir() else ()

    def _prune(self) -> None:
        files = list(self._files())
        if len(files) <= self.kept_at_most:
            return
        by_age = sorted(files, key=lambda p: file_state(p) or [0, 0])
        for path in by_age[: len(files) - self.kept_at_most]:
            path.unlink(missing_ok=True)


def settings_state(settings: Mapping[str, Any], installed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything but the article that decides a check's output: ``settings`` (the options as
    the command line resolved them) with the content of the files they name, the engine's files
    and what is installed (``installed``: :func:`installed_state`, when read already)."""
    return {
        "installed": installed_state() if installed is None else installed,
        "settings": {name: _jsonable(value) for name, value in sorted(settings.items())},
        "flag_model": _file_state(settings.get("flag_model")),
        "lexicons": [_file_state(p) for p in settings.get("lexicons") or ()],
        "config": _config_state(settings.get("config_path")),
        "engine": engine_state(str(settings.get("engine") or "auto"), settings.get("model")),
    }


def installed_state() -> dict[str, Any]:
    """What is installed, as sizes and times: mtcheck's own files (its code, lexicons and models),
    the folders Python imports packages from (installing or upgrading one adds and removes its
    metadata folder there, which changes the folder's time), Debian's package database, and the
    environment variables that steer model loading."""
    package_dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    # Grammalecte's folder is on sys.path only once a check has looked for it: always listed,
    # so that the key does not depend on what ran before in this process.
    package_dirs.update([DEBIAN_DIST_PACKAGES, *(p for p in sys.path if "packages" in p)])
    return {
        "mtcheck": [__version__, tree_state(_PACKAGE)],
        "python": [sys.version, sys.executable],
        "packages": [[p, file_state(Path(p))] for p in sorted(package_dirs)],
        "dpkg": file_state(_DPKG_STATUS),
        "environment": sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENVIRONMENT_PREFIXES)),
    }


def engine_state(engine: str, model: str | None) -> dict[str, Any]:
    """The files an engine's output depends on: Apertium's modes and binary, a model's folder or
    its copy in the Hugging Face cache. ``auto`` depends on both, since it picks one by what is there."""
    state: dict[str, Any] = {}
    if engine in ("auto", "hf", "ct2"):
        state["model"] = _model_state(model or DEFAULT_MODEL)
    if engine in ("auto", "apertium"):
        binary = shutil.which("apertium")
        state["apertium"] = [binary, file_state(Path(binary)) if binary else None,
                             [[str(d), file_state(d)] for d in MODE_DIRS]]
    return state


def _model_state(model: str) -> Any:
    path = Path(os.path.expanduser(model))
    if path.is_dir():
        return tree_state(path)
    from huggingface_hub import constants  # the hub cache's location, as the loader resolves it

    cached = Path(constants.HF_HUB_CACHE) / f"models--{model.replace('/', '--')}"
    return [str(cached), tree_state(cached) if cached.is_dir() else None]


def _config_state(config_path: Any) -> list[Any]:
    """A config file's content hash and the state of every file it names (lexicons, a flag model,
    a detector's word list), read as the config reads paths: relative to the config's folder."""
    if not config_path:
        return []
    import tomllib

    path = Path(config_path)
    try:
        content = path.read_bytes()
        data = tomllib.loads(content.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ["unreadable"]  # the check itself will say why, naming the file
    mentions = [[value, file_state(path.parent / os.path.expanduser(value))] for value in _strings(data)
                if (path.parent / os.path.expanduser(value)).is_file()]
    return [hashlib.sha256(content).hexdigest(), mentions]


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _file_state(value: Any) -> Any:
    """A file option's content hash when it names a file, else the value itself ("bundled", None)."""
    if not value or not Path(str(value)).is_file():
        return value
    return hashlib.sha256(Path(str(value)).read_bytes()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
