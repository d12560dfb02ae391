"""Back-translation with a Hugging Face transformers sequence-to-sequence model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..engine_names import DEFAULT_MODEL
from ..errors import EngineError
from ..types import Translation
from .base import ALIGNMENT_LAYER, model_folder_problem, remembered_hash, source_token_limit, tokenizer_loading
from .batching import length_sorted_batches
from .subwords import build_translation



@dataclass
class HFEngine:
    """A transformers ``AutoModelForSeq2SeqLM`` (Marian, NLLB, M2M100, …).

    ``model`` is a hub id or a local folder. Besides the translation, every output token
    gets its log-probability and every English word the French word it attends to most
    (cross-attention of ``alignment_layer`` averaged over heads, read in one
    teacher-forced pass).
    """

    model: str = DEFAULT_MODEL
    revision: str | None = None
    device: str = "auto"
    beam_size: int = 4
    max_new_tokens: int = 256
    min_new_tokens: int = 0
    # Source tokens per batch; None: 4,096 on a GPU, 1,024 on CPU, where larger batches are no
    # faster (measured: same speed as 4,096) and beam search's vocabulary-wide scores grow with them.
    batch_tokens: int | None = None
    # torch's intra-op CPU threads for this process; 0: torch's default (every core).
    threads: int = 0
    local_files_only: bool = False
    alignment_layer: int = ALIGNMENT_LAYER
    name: str = field(default="hf", init=False)

    def __post_init__(self) -> None:
        try:
            import torch
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - both are hard dependencies
            raise EngineError(f"the hf engine needs torch and transformers: {exc}") from exc
        self._torch = torch
        if self.threads:
            torch.set_num_threads(self.threads)
        if self.device == "auto":
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
        if self.batch_tokens is None:
            self.batch_tokens = 1024 if self.device == "cpu" else 4096
        if os.path.isdir(self.model) and (problem := model_folder_problem(Path(self.model))):
            raise EngineError(f"{self.model}: {problem}")
        try:
            with tokenizer_loading():
                self._tokenizer = AutoTokenizer.from_pretrained(
                    self.model, revision=self.revision, local_files_only=self.local_files_only
                )
            self._model = AutoModelForSeq2SeqLM.from_pretrained(
                self.model,
                revision=self.revision,
                local_files_only=self.local_files_only,
                attn_implementation="eager",
            )
        except Exception as exc:  # transformers raises OSError, ValueError, HTTP errors…
            raise EngineError(f"cannot load model {self.model!r}: {str(exc).splitlines()[0]}") from exc
        self._model.to(self.device).eval()
        self._revision = self.revision or _model_revision(self.model, self._model)

    @property
    def signature(self) -> str:
        return hf_signature(self.model, self._revision, self.beam_size, self.max_new_tokens, self.min_new_tokens)

    @classmethod
    def signature_without_loading(cls, model: str = DEFAULT_MODEL, beam_size: int = 4,
                                  max_new_tokens: int = 256, min_new_tokens: int = 0, **_: object) -> str | None:
        """The signature the engine will have once loaded, read from the files alone (no torch,
        no weights in memory); None when only loading can tell (a model not in the local cache)."""
        revision = local_revision(model)
        if revision is None:
            return None
        from importlib import metadata

        try:
            return hf_signature(model, revision, beam_size, max_new_tokens, min_new_tokens)
        except metadata.PackageNotFoundError:  # transformers or torch missing: loading will say so
            return None

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        results: list[Translation | None] = [None] * len(texts)
        lengths = [len(self._tokenizer.tokenize(t)) + 1 for t in texts]
        for batch in length_sorted_batches(lengths, self.batch_tokens):
            for i, translation in zip(batch, self._translate_batch([texts[i] for i in batch])):
                results[i] = translation
        return [r for r in results if r is not None]

    def _translate_batch(self, texts: list[str]) -> list[Translation]:
        torch = self._torch
        limit = source_token_limit(self._tokenizer.model_max_length,
                                   getattr(self._model.config, "max_position_embeddings", None))
        enc = self._tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=limit
                              ).to(self.device)
        with torch.inference_mode():
            generated = self._model.generate(
                **enc, num_beams=self.beam_size, max_new_tokens=self.max_new_tokens,
                min_new_tokens=self.min_new_tokens, do_sample=False,
            )
            targets = generated[:, 1:]
            token_logprobs, attention = self._teacher_forced(enc, generated[:, :-1], targets)
        special = set(self._tokenizer.all_special_ids)
        out = []
        for b, text in enumerate(texts):
            src_ids = enc["input_ids"][b].tolist()
            tgt_ids = targets[b].tolist()
            keep = [j for j, t in enumerate(tgt_ids) if t not in special]
            src_keep = [k for k, t in enumerate(src_ids) if t not in special]
            out.append(
                build_translation(
                    engine=self.signature,
                    source=text,
                    src_pieces=self._tokenizer.convert_ids_to_tokens([src_ids[k] for k in src_keep]),
                    tgt_pieces=self._tokenizer.convert_ids_to_tokens([tgt_ids[j] for j in keep]),
                    english=self._tokenizer.decode([tgt_ids[j] for j in keep], skip_special_tokens=True),
                    logprobs=[float(token_logprobs[b, j]) for j in keep],
                    attention=attention[b][keep][:, src_keep].tolist(),
                )
            )
        return out

    def _teacher_forced(self, enc, decoder_input_ids, targets):
        """Token log-probabilities and cross-attention of the chosen output, in one decoder pass.

        This works for beam search too, where generate's per-step tensors are per beam. Only
        the hidden states go through the output layer, a few positions at a time: full
        vocabulary logits for a whole batch would take gigabytes.
        """
        torch = self._torch
        outputs = self._model.get_decoder()(
            input_ids=decoder_input_ids,
            encoder_hidden_states=self._model.get_encoder()(**enc).last_hidden_state,
            encoder_attention_mask=enc["attention_mask"],
            output_attentions=True,
            return_dict=True,
        )
        hidden = outputs.last_hidden_state.reshape(-1, outputs.last_hidden_state.shape[-1])
        flat_targets = targets.reshape(-1)
        head = self._model.get_output_embeddings()
        bias = getattr(self._model, "final_logits_bias", None)
        token_logprobs = torch.empty(flat_targets.shape, dtype=torch.float32, device=hidden.device)
        for start in range(0, hidden.shape[0], _LOGIT_ROWS):
            logits = head(hidden[start : start + _LOGIT_ROWS]).float()
            if bias is not None:
                logits += bias.reshape(-1)
            chosen = logits.gather(-1, flat_targets[start : start + _LOGIT_ROWS].unsqueeze(-1)).squeeze(-1)
            token_logprobs[start : start + _LOGIT_ROWS] = chosen - torch.logsumexp(logits, dim=-1)
        token_logprobs = token_logprobs.reshape(targets.shape)
        attention = outputs.cross_attentions[self.alignment_layer].float().mean(dim=1)  # batch, tgt, src
        return token_logprobs, attention


# Output positions sent through the vocabulary projection at once: 256 rows of opus-mt's
# 59,514 logits are 61 MB; a whole batch at once would be gigabytes.
_LOGIT_ROWS = 256


def hf_signature(model: str, revision: str, beam_size: int, max_new_tokens: int, min_new_tokens: int) -> str:
    # Library versions from the installed distributions: the same strings as torch.__version__
    # and transformers.__version__, without importing either.
    from importlib import metadata

    return (
        f"hf|model:{model}|rev:{revision}|beam:{beam_size}|max_new:{max_new_tokens}|min_new:{min_new_tokens}"
        f"|transformers:{metadata.version('transformers')}|torch:{metadata.version('torch')}"
    )


def _model_revision(model_id: str, model: object) -> str:
    """A revision string for the signature: the commit hash for hub models, a content hash for folders."""
    if Path(model_id).is_dir():
        return remembered_hash(Path(model_id), "hf", _folder_hash)
    commit = getattr(getattr(model, "config", None), "_commit_hash", None)
    return commit or "unknown"


def local_revision(model: str) -> str | None:
    """What :func:`_model_revision` will say, from the files: a folder's content hash, or the
    commit of the hub model's snapshot in the local cache; None when neither is there."""
    path = Path(model)
    if path.is_dir():
        return None if model_folder_problem(path) else remembered_hash(path, "hf", _folder_hash)
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - a dependency of transformers
        return None
    found = try_to_load_from_cache(model, "config.json")
    # .../models--org--name/snapshots/<commit>/config.json; transformers reads the commit from that path
    return Path(found).parent.name if isinstance(found, str) else None


def _folder_hash(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        digest.update(weights.read_bytes())
    return "sha256:" + digest.hexdigest()[:16]
