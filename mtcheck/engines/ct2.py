"""Back-translation with CTranslate2: the same transformers models, converted once, run fast.

The model (hub id or local folder) is converted with CTranslate2's own
``TransformersConverter`` into a cache folder keyed by the source model's content, so the
conversion happens once per model and is shared by every later run and process.
``compute_type`` (int8 on CPU, float16 on CUDA by default) is applied when loading; for the
int8 types on CPU the weights are stored quantised already, a conversion of its own: a quarter of the
disk, and an engine built in 0.36× the time (benchmarks/ct2_load.py), which every process
that checks pays, each Ray actor included. CTranslate2's converter quantises as its loader
does (one scale per row), and the translations, word links and log-probabilities are those of
the same model quantised at load (compared in the tests and the benchmark): translations
cached under the signature, which names the compute type, stay valid.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EngineError
from ..types import Translation
from .base import ALIGNMENT_LAYER, model_folder_problem, remembered_hash, source_token_limit, tokenizer_loading
from .cache import default_cache_dir
from .batching import length_sorted_batches
from .pieces import load_pieces
from .subwords import build_translation


@dataclass
class CT2Engine:
    """A transformers seq2seq model run by CTranslate2, with attention links and token log-probs."""

    model: str
    device: str = "auto"
    compute_type: str = "auto"
    beam_size: int = 4
    max_decoding_length: int = 256
    min_decoding_length: int = 1
    batch_tokens: int = 4096
    cache_dir: Path | None = None
    local_files_only: bool = True
    threads: int = 0
    alignment_layer: int = ALIGNMENT_LAYER
    # Per-token log-probabilities take a second pass over every sentence (CTranslate2's
    # translate_batch gives only a sentence's total): off when no detector reads them.
    token_scores: bool = True
    name: str = field(default="ct2", init=False)

    def __post_init__(self) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise EngineError(f"the ct2 engine needs ctranslate2 (pip install 'mtcheck[ct2]'): {exc}") from exc
        self._ct2 = ctranslate2
        self.cache_dir = Path(self.cache_dir) if self.cache_dir is not None else None
        self.device, self.compute_type = _device_and_compute(ctranslate2, self.device, self.compute_type)
        source = self._resolve_source()
        if (problem := model_folder_problem(Path(source))) is not None:
            raise EngineError(f"{source}: {problem}")
        self._revision = remembered_hash(Path(source), "ct2", _content_hash)
        self._converted = self._convert(source)
        try:
            self._pieces = load_pieces(Path(source))
            config = json.loads((Path(source) / "config.json").read_text(encoding="utf-8"))
            self._source_limit = source_token_limit(self._pieces.model_max_length,
                                                    config.get("max_position_embeddings"))
            threads = self.threads or (os.cpu_count() or 1)
            # On CPU, as many one-thread workers as threads, each decoding its own batch: on a
            # machine whose cores also run the checks, one thread that waits for a core holds
            # up only its own batch, where intra-op threads wait for one another at every
            # step (the same translations; 16-26% faster on 2 cores, benchmarks/batch.py).
            self._workers = threads if self.device == "cpu" else 1
            self._translator = ctranslate2.Translator(
                str(self._converted), device=self.device, compute_type=self.compute_type,
                inter_threads=self._workers, intra_threads=1 if self._workers > 1 else threads,
            )
        except Exception as exc:
            raise EngineError(f"cannot load converted model {self._converted}: {exc}") from exc

    @property
    def signature(self) -> str:
        return ct2_signature(self.model, self._revision, self.compute_type, self.beam_size,
                             self.min_decoding_length, self.max_decoding_length, self._ct2.__version__,
                             self.token_scores)

    @classmethod
    def signature_without_loading(cls, model: str, device: str = "auto", compute_type: str = "auto",
                                  beam_size: int = 4, max_decoding_length: int = 256, min_decoding_length: int = 1,
                                  token_scores: bool = True, **_: object) -> str | None:
        """The signature the engine will have once loaded, from the files (no conversion, no model
        in memory); None when only loading can tell (a model not in the local cache)."""
        try:
            import ctranslate2
        except ImportError:
            return None
        path = Path(model)
        if not path.is_dir():
            try:
                from huggingface_hub import snapshot_download

                path = Path(snapshot_download(model, local_files_only=True))
            except Exception:  # not in the local cache
                return None
        if model_folder_problem(path) is not None:
            return None
        _, compute_type = _device_and_compute(ctranslate2, device, compute_type)
        return ct2_signature(model, remembered_hash(path, "ct2", _content_hash), compute_type, beam_size, min_decoding_length,
                             max_decoding_length, ctranslate2.__version__, token_scores)

    def _resolve_source(self) -> Path:
        path = Path(self.model)
        if path.is_dir():
            return path
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(self.model, local_files_only=self.local_files_only))
        except Exception as exc:
            raise EngineError(f"cannot load model {self.model!r}: {str(exc).splitlines()[0]}") from exc

    def _convert(self, source: Path) -> Path:
        """Convert once into the cache; a half-written conversion is never visible."""
        # Only a CPU's types are asked for: asking a GPU that cannot be used raises, where
        # loading the model says why as an EngineError.
        supported = self._ct2.get_supported_compute_types("cpu") if self.device == "cpu" else ()
        quantization = stored_quantization(self.device, self.compute_type, supported)
        key = hashlib.sha256(
            f"{self._revision}|{self._ct2.__version__}|align:{self.alignment_layer}"
            f"{f'|{quantization}' if quantization else ''}".encode()
        ).hexdigest()[:16]
        target = conversions_folder(self.cache_dir) / f"{source.name}-{key}"
        if (target / "model.bin").exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
        try:
            with tokenizer_loading():  # the converter reads the model's tokenizer too
                _AlignedConverter(str(source), alignment_layer=self.alignment_layer).convert(
                    str(staging / "model"), quantization=quantization, force=True
                )
            try:
                os.replace(staging / "model", target)
            except OSError:  # another process finished first: use its conversion
                if not (target / "model.bin").exists():
                    raise
        except Exception as exc:
            raise EngineError(f"CTranslate2 cannot convert {self.model!r}: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        # Truncate as the hf engine does: positions past the model's limit have no encoding, and
        # CTranslate2's scoring pass (unlike its translation pass) would fail on them.
        limit = self._source_limit
        sources = [self._pieces.encode(t, limit) for t in texts]
        lengths = [len(s) for s in sources]
        # Enough batches for every worker to have one (a single article is often one batch).
        budget = min(self.batch_tokens, max(1, -(-sum(lengths) // self._workers)))
        batches = list(length_sorted_batches(lengths, budget))
        batch_sources = [[sources[i] for i in batch] for batch in batches]
        # Every batch submitted at once, so that the workers decode side by side.
        pending = [self._translator.translate_batch(
            chosen, beam_size=self.beam_size, max_decoding_length=self.max_decoding_length,
            min_decoding_length=self.min_decoding_length,
            return_attention=True, max_input_length=0,  # already truncated by the tokenizer
            asynchronous=True) for chosen in batch_sources]
        outputs = [[result.result() for result in batch] for batch in pending]
        hypotheses = [[o.hypotheses[0] for o in batch] for batch in outputs]
        # Scoring computes the whole vocabulary's logits for every target position: bound the
        # positions scored at once, or a large batch takes gigabytes.
        scoring = [self._translator.score_batch(chosen, hyps, max_batch_size=_SCORED_TOKENS,
                                                batch_type="tokens", asynchronous=True)
                   for chosen, hyps in zip(batch_sources, hypotheses)] if self.token_scores else None
        results: list[Translation | None] = [None] * len(texts)
        for n, batch in enumerate(batches):
            scored = [r.result() for r in scoring[n]] if scoring is not None else [None] * len(batch)
            built = self._translations([texts[i] for i in batch], batch_sources[n], hypotheses[n], outputs[n], scored)
            for i, translation in zip(batch, built):
                results[i] = translation
        return [r for r in results if r is not None]

    def _translations(self, texts: list[str], sources: list[list[str]], hypotheses: list[list[str]],
                      outputs: list, scored: list) -> list[Translation]:
        special = self._pieces.special_tokens
        translations = []
        for text, src, hyp, out, score in zip(texts, sources, hypotheses, outputs, scored):
            keep = [j for j, p in enumerate(hyp) if p not in special]
            src_keep = [k for k, p in enumerate(src) if p not in special]
            attention = out.attention[0]
            translations.append(
                build_translation(
                    engine=self.signature,
                    source=text,
                    src_pieces=[src[k] for k in src_keep],
                    tgt_pieces=[hyp[j] for j in keep],
                    english=self._pieces.decode([hyp[j] for j in keep]),
                    logprobs=[score.log_probs[j] for j in keep] if score is not None else [],
                    attention=[[attention[j][k] for k in src_keep] for j in keep],
                )
            )
        return translations


_SCORED_TOKENS = 512


def _device_and_compute(ctranslate2: object, device: str, compute_type: str) -> tuple[str, str]:
    """``auto`` resolved: CUDA when CTranslate2 sees a GPU, with float16 there and int8 on CPU."""
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"  # type: ignore[attr-defined]
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def conversions_folder(cache_dir: Path | None = None) -> Path:
    """Where the models converted under ``cache_dir`` (None: mtcheck's cache folder) lie."""
    return (cache_dir or default_cache_dir()) / "ct2"


def stored_conversions(cache_dir: Path | None = None) -> dict[str, int]:
    """Each converted model in :func:`conversions_folder` and the bytes it takes, by folder name
    (the model's and its conversion key). A conversion stays until it is deleted: one for
    another compute type or an earlier CTranslate2 may no longer be read."""
    folder = conversions_folder(cache_dir)
    if not folder.is_dir():
        return {}
    return {model.name: sum(f.stat().st_size for f in model.rglob("*") if f.is_file())
            for model in sorted(folder.iterdir())
            if model.is_dir() and not model.name.startswith(".")}  # not a conversion under way


def stored_quantization(device: str, compute_type: str, supported: Iterable[str]) -> str | None:
    """The type a conversion for ``compute_type`` on ``device``, which runs the ``supported``
    compute types, stores its weights in: int8 for the int8 types computed in float32 on a CPU
    that computes in int8 (compared with quantising at load in the tests and
    benchmarks/ct2_load.py); None, the source model's own weights, otherwise. A CPU without
    int8 computes in another type, which from int8 weights would not be the source's; on a GPU
    that the two ways give the same translations is untested here."""
    wanted = device == "cpu" and compute_type in ("int8", "int8_float32")
    return "int8" if wanted and compute_type in set(supported) else None


def ct2_signature(model: str, revision: str, compute_type: str, beam_size: int, min_length: int, max_length: int,
                  version: str, token_scores: bool = True) -> str:
    # Translations without token scores are cached apart: a later run whose detectors read
    # the scores must not be served translations that lack them.
    return (f"ct2|model:{model}|rev:{revision}|compute:{compute_type}|beam:{beam_size}"
            f"|len:{min_length}-{max_length}|ctranslate2:{version}" + ("" if token_scores else "|scores:off"))


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(weights.name.encode())
        with weights.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]


def _aligned_converter_class():
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        """Reads alignment from all heads of one decoder layer, like the hf engine."""

        def __init__(self, model: str, alignment_layer: int) -> None:
            super().__init__(model)
            self._alignment_layer = alignment_layer

        def _load(self):
            import numpy as np

            spec = super()._load()
            decoder = spec.decoder
            decoder.alignment_layer = np.int16(self._alignment_layer)
            decoder.alignment_heads = np.int16(decoder.num_heads)
            return spec

    return Converter


def _AlignedConverter(model: str, alignment_layer: int):  # noqa: N802 - reads like a class
    return _aligned_converter_class()(model, alignment_layer)
