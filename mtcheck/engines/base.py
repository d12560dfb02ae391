"""The protocol every back-translation engine implements."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..types import Translation

# Cross-attention layer read for word alignment by the neural engines; the penultimate
# decoder layer aligns best in Transformer NMT (Garg et al., 2019).
ALIGNMENT_LAYER = -2


@runtime_checkable
class Engine(Protocol):
    """Translates French strings to English.

    ``signature`` names everything that changes the output (engine, model and its
    revision, decoding settings, library versions); it keys the translation cache.
    """

    name: str

    @property
    def signature(self) -> str: ...

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate each text; the result has one :class:`Translation` per input, in order."""
        ...


@contextmanager
def tokenizer_loading() -> Iterator[None]:
    """Load a tokenizer without transformers' "Recommended: pip install sacremoses" warning.

    The Marian tokenizer (every opus-mt model's) says so when it loads without that package,
    for the Moses punctuation normaliser it would build; none of its methods calls that
    normaliser (transformers 4.40 to 5.25), so the warning asks every run for a package that
    changes nothing. Other warnings pass.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses", category=UserWarning)
        yield


def source_token_limit(tokenizer_max: int, model_positions: int | None) -> int:
    """How many source tokens a model can encode: the tokenizer's and the model's limits, whichever is lower.

    Tokenizers without a limit report a huge sentinel; 512 (Marian's) is used then.
    """
    limits = [n for n in (tokenizer_max, model_positions) if n and n < 100_000]
    return min(limits) if limits else 512


# Weight files transformers can load a seq2seq model from.
_WEIGHTS = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json", "pytorch_model.bin.index.json",
            "tf_model.h5", "flax_model.msgpack")


def model_folder_problem(folder: Path) -> str | None:
    """What a local model folder lacks for transformers to load it, or None when it looks whole."""
    if not (folder / "config.json").is_file():
        return "is not a model folder (no config.json)"
    if not any((folder / name).is_file() for name in _WEIGHTS):
        return f"has config.json but no weights ({' or '.join(_WEIGHTS[:2])}): the download or copy is incomplete"
    return None


def remembered_hash(folder: Path, kind: str, compute: Callable[[Path], str]) -> str:
    """``compute(folder)`` (a hash of a model's weights, hundreds of MB to read), remembered in
    the cache folder under the weights files' names, sizes and modification times, as make
    judges staleness: an unchanged model is not read again on every run. ``kind`` keeps apart
    hashes that different engines compute differently."""
    import json

    from ..files import atomic_write, default_cache_dir

    weights = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
    key = f"{kind}|{folder.resolve()}|" + ";".join(
        f"{w.name}:{(s := w.stat()).st_size}:{s.st_mtime_ns}" for w in weights)
    store = default_cache_dir() / "weights-hashes.json"
    try:
        known = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: it only saves time
        known = {}
    if not isinstance(known, dict):
        known = {}
    if key not in known:
        known[key] = compute(folder)
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(store, json.dumps(known, indent=0, sort_keys=True))
        except OSError:  # a read-only cache folder: compute again next time
            pass
    return known[key]
