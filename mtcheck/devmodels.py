"""Small Marian fr→en models that the repository builds itself, for tests and benchmarks.

No model hub is reachable in CI, yet the engines must be exercised through the real
``from_pretrained`` path. :func:`build_tiny_marian` trains a ~100k-parameter Marian
model in a few seconds on a grid of word-for-word French/English sentence pairs, so
that it translates those sentences exactly and its cross-attention learns which
French word each English word comes from. :func:`build_opus_sized_marian` saves a
randomly initialised model with exactly the shape of ``Helsinki-NLP/opus-mt-fr-en``
for speed benchmarks. The CLI never falls back to either.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

SUBJECTS = [
    ("le président", "the president"),
    ("la source", "the source"),
    ("l'armée", "the army"),
    ("le ministre", "the minister"),
]
VERBS = [
    ("a autorisé", "authorized"),
    ("a refusé", "refused"),
    ("a annoncé", "announced"),
]
OBJECTS = [
    ("les armes américaines", "the american weapons"),
    ("les armes artificielles", "the artificial weapons"),
    ("les missiles", "the missiles"),
    ("la frappe", "the strike"),
    ("les systèmes", "the systems"),
]


def training_pairs() -> list[tuple[str, str]]:
    """The French→English sentence pairs the tiny model is trained on."""
    pairs = []
    for (fs, es), (fv, ev), (fo, eo) in itertools.product(SUBJECTS, VERBS, OBJECTS):
        pairs.append((f"{fs} {fv} {fo} .", f"{es} {ev} {eo} ."))
    return pairs


def _train_sentencepiece(lines: list[str], prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="word",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        minloglevel=2,
        num_threads=1,
    )
    corpus.unlink()


def _save_tokenizer(out: Path, fr_lines: list[str], en_lines: list[str]) -> "object":
    from transformers import MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    _train_sentencepiece(fr_lines, out / "source", vocab_size=64)
    _train_sentencepiece(en_lines, out / "target", vocab_size=64)
    import sentencepiece as spm

    pieces = ["</s>", "<unk>", "<pad>"]
    for name in ("source.model", "target.model"):
        proc = spm.SentencePieceProcessor(model_file=str(out / name))
        pieces += [proc.id_to_piece(i) for i in range(proc.get_piece_size())]
    vocab = {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "source.spm").write_bytes((out / "source.model").read_bytes())
    (out / "target.spm").write_bytes((out / "target.model").read_bytes())
    for name in ("source.model", "target.model", "source.vocab", "target.vocab"):
        (out / name).unlink()
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang="fr",
        target_lang="en",
    )
    tokenizer.save_pretrained(out)
    return tokenizer


def build_tiny_marian(out: Path, steps: int = 800, seed: int = 0) -> Path:
    """Train the tiny fr→en Marian model into ``out`` and return ``out``.

    Deterministic for a given seed and torch version; takes a few seconds on 2 CPU cores.
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    out = Path(out)
    pairs = training_pairs()
    tokenizer = _save_tokenizer(out, [f for f, _ in pairs], [e for _, e in pairs])
    torch.manual_seed(seed)
    random.seed(seed)
    config = MarianConfig(
        vocab_size=len(tokenizer.get_vocab()),
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=64,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    model = MarianMTModel(config)
    batch = tokenizer(
        [f for f, _ in pairs], text_target=[e for _, e in pairs], padding=True, return_tensors="pt"
    )
    labels = batch["labels"].masked_fill(batch["labels"] == tokenizer.pad_token_id, -100)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        optimiser.zero_grad()
        loss = model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels
        ).loss
        loss.backward()
        optimiser.step()
    model.eval()
    model.generation_config.num_beams = 1
    model.save_pretrained(out)
    (out / "README.md").write_text(
        "Tiny fr→en Marian test fixture built by mtcheck.devmodels.build_tiny_marian; "
        f"{steps} steps, seed {seed}, final loss {loss.item():.4f}. Not a usable translator.\n",
        encoding="utf-8",
    )
    return out


def build_opus_sized_marian(out: Path, seed: int = 0) -> Path:
    """Save a randomly initialised model shaped exactly like ``Helsinki-NLP/opus-mt-fr-en``.

    d_model 512, 6+6 layers, 8 heads, FFN 2048, vocabulary 59,514, shared embeddings. The
    tokenizer is the tiny one (speed depends on the network, not on the vocabulary file).
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    out = Path(out)
    pairs = training_pairs()
    tokenizer = _save_tokenizer(out, [f for f, _ in pairs], [e for _, e in pairs])
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=59514,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        encoder_attention_heads=8,
        decoder_attention_heads=8,
        encoder_ffn_dim=2048,
        decoder_ffn_dim=2048,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        scale_embedding=True,
        static_position_embeddings=True,
    )
    model = MarianMTModel(config)
    model.save_pretrained(out)
    return out


if __name__ == "__main__":  # pragma: no cover - convenience for humans
    import sys

    print(build_tiny_marian(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-marian")))
