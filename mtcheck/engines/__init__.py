"""Back-translation engines, registered by name, and the choice made by ``--engine auto``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine_names import ENGINE_NAMES as _LISTED_NAMES
from ..errors import ConfigError, EngineError
from ..lang.apertium import apertium_problem
from .apertium import ApertiumEngine
from .base import Engine
from .hf import DEFAULT_MODEL, HFEngine, local_revision
from .lazy import LazyEngine


@dataclass(frozen=True)
class EngineSpec:
    """What the user asked for: an engine name and its options."""

    name: str = "auto"
    model: str | None = None
    beam_size: int = 4
    device: str = "auto"
    # Decoding limits; None keeps each engine's default.
    max_length: int | None = None
    batch_tokens: int | None = None
    threads: int | None = None
    options: dict[str, object] = field(default_factory=dict)

    def engine_options(self, engine: str) -> dict[str, object]:
        """The decoding limits under the names ``engine``'s class gives them."""
        length = {"hf": "max_new_tokens", "ct2": "max_decoding_length"}[engine]
        given = {length: self.max_length, "batch_tokens": self.batch_tokens, "threads": self.threads}
        return {**{k: v for k, v in given.items() if v is not None}, **self.options}


@dataclass(frozen=True)
class EngineChoice:
    """The loaded engine and what was tried to get it (printed on stderr by the CLI)."""

    engine: Engine
    tried: tuple[str, ...]

    @property
    def message(self) -> str:
        skipped = [t for t in self.tried if ":" in t]
        why = f"; not chosen: {'; '.join(skipped)}" if skipped else ""
        return f"engine: {self.engine.name} ({self.engine.signature}){why}"


def load_engine(spec: EngineSpec, *, lazy: bool = False) -> EngineChoice:
    """Load the engine ``spec`` names; ``auto`` tries hf (cache, then one short hub try), then apertium.

    ``lazy``: where a neural model's files tell its signature (a folder, or a hub model in the
    local cache), return a :class:`LazyEngine` that loads the model on the first sentence to
    translate, so that a run served wholly from the cache never loads it.
    """
    if spec.name not in ENGINE_NAMES:
        raise ConfigError(f"unknown engine {spec.name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if spec.model and _looks_like_path(spec.model) and not os.path.exists(os.path.expanduser(spec.model)):
        # A folder the user named is not a hub id to try, nor a reason to fall back to another engine.
        raise EngineError(f"{spec.model}: no such model folder (give the folder that holds config.json "
                          "and the weights, or a hub id such as Helsinki-NLP/opus-mt-fr-en)")
    if lazy and (deferred := _lazy_engine(spec)) is not None:
        return EngineChoice(deferred, ("hf",) if spec.name == "auto" else (spec.name,))
    if spec.name != "auto":
        return EngineChoice(ENGINES[spec.name](spec), (spec.name,))
    tried = []
    try:
        return EngineChoice(_load_hf(spec), ("hf",))
    except EngineError as exc:
        tried.append(f"hf: {exc}")
    problem = apertium_problem()
    if problem is None:
        return EngineChoice(ApertiumEngine(), tuple(tried) + ("apertium",))
    tried.append(f"apertium: {problem}")
    raise EngineError(
        "no back-translation engine could be loaded. Tried: "
        + "; ".join(tried)
        + ". Fix: pass --model with a local model folder, point HF_HOME at a cache holding "
        f"{spec.model or DEFAULT_MODEL}, or install Apertium "
        "(apt-get install apertium apertium-fr-es apertium-eng-spa)."
    )


def _lazy_engine(spec: EngineSpec) -> LazyEngine | None:
    """A LazyEngine for a neural engine whose signature its files tell, else None (load now)."""
    name = "hf" if spec.name == "auto" else spec.name
    if name == "hf":
        engine_class: type = HFEngine
    elif name == "ct2":
        from .ct2 import CT2Engine

        engine_class = CT2Engine
    else:
        return None
    signature = engine_class.signature_without_loading(model=spec.model or DEFAULT_MODEL, beam_size=spec.beam_size,
                                                       device=spec.device, **spec.engine_options(name))
    if signature is None:
        return None
    return LazyEngine(name, signature, load=lambda: ENGINES[name](spec))


def _looks_like_path(model: str) -> bool:
    """A local path rather than a hub id ("org/name"): absolute, relative, home, or deeper than org/name."""
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model


def _load_hf(spec: EngineSpec) -> Engine:
    return _cache_then_hub(HFEngine, spec, spec.engine_options("hf"))


def _load_ct2(spec: EngineSpec) -> Engine:
    from .ct2 import CT2Engine

    return _cache_then_hub(CT2Engine, spec, spec.engine_options("ct2"))


def _cache_then_hub(engine_class: Callable[..., Engine], spec: EngineSpec, options: dict[str, object]) -> Engine:
    """Load from the local cache; give the hub one short try only when it may be asked."""
    model = spec.model or DEFAULT_MODEL
    kwargs = dict(model=model, beam_size=spec.beam_size, device=spec.device, **options)
    try:
        if not os.path.isdir(model) and local_revision(model) is None:
            # Known without importing torch (most of a second): the fallback comes sooner.
            raise EngineError(f"{model} is not in the local Hugging Face cache")
        return engine_class(local_files_only=True, **kwargs)
    except EngineError as cached_error:
        if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False") or os.path.isdir(model):
            raise
        if not _hub_answers(model):
            raise EngineError(f"{model} is not in the local cache and the hub does not answer") from cached_error
        return engine_class(local_files_only=False, **kwargs)


# One line per engine: its name and how to load it from an EngineSpec.
ENGINES: dict[str, Callable[[EngineSpec], Engine]] = {
    "hf": _load_hf,
    "ct2": _load_ct2,
    "apertium": lambda spec: ApertiumEngine(),
}
# "auto" is a choice among them, not an engine of its own; the command line reads the names
# from mtcheck.engine_names, which must say the same.
ENGINE_NAMES = ("auto", *ENGINES)
assert ENGINE_NAMES == _LISTED_NAMES, "mtcheck/engine_names.py must list the registered engines"


def _hub_answers(model: str, timeout_s: float = 5.0) -> bool:
    """One short request to the hub, so that an unreachable hub costs seconds, not retries."""
    try:
        from huggingface_hub import HfApi

        HfApi().model_info(model, timeout=timeout_s)
        return True
    except Exception:  # any failure means "do not wait on the hub"
        return False


__all__ = ["ENGINES", "ENGINE_NAMES", "Engine", "EngineSpec", "EngineChoice", "LazyEngine", "load_engine", "HFEngine", "ApertiumEngine", "DEFAULT_MODEL"]
