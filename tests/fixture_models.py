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
from pathlib import Path

from mtcheck.engines.base import ALIGNMENT_LAYER

# Each phrase: French, English, and for each English word the index of its French word.
SUBJECTS = [
    ("le président", "the president", (0, 1)),
    ("la source", "the source", (0, 1)),
    ("l'armée", "the army", (0, 0)),
    ("le ministre", "the minister", (0, 1)),
]
VERBS = [
    ("a autorisé", "authorized", (1,)),
    ("a refusé", "refused", (1,)),
    ("a annoncé", "announced", (1,)),
]
OBJECTS = [
    ("les armes américaines", "the american weapons", (0, 2, 1)),
    ("les armes artificielles", "the artificial weapons", (0, 2, 1)),
    ("les missiles", "the missiles", (0, 1)),
    ("la frappe", "the strike", (0, 1)),
    ("les systèmes", "the systems", (0, 1)),
]


def training_examples() -> list[tuple[str, str, tuple[int, ...]]]:
    """French sentence, English sentence, and the French word index of each English word."""
    examples = []
    for phrases in itertools.product(SUBJECTS, VERBS, OBJECTS):
        fr_words: list[str] = []
        en_words: list[str] = []
        links: list[int] = []
        for fr, en, align in phrases:
            links += [len(fr_words) + i for i in align]
            fr_words += fr.split()
            en_words += en.split()
        links.append(len(fr_words))  # the final "." of both sides
        examples.append((" ".join(fr_words + ["."]), " ".join(en_words + ["."]), tuple(links)))
    return examples


def training_pairs() -> list[tuple[str, str]]:
    """The French→English sentence pairs the tiny model is trained on."""
    return [(fr, en) for fr, en, _ in training_examples()]


def _train_sentencepiece(lines: list[str], prefix: Path, vocab_size: int, model_type: str = "word") -> None:
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type=model_type,
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


def _save_tokenizer(
    out: Path,
    fr_lines: list[str],
    en_lines: list[str],
    vocab_size: int | None = None,
    model_type: str = "word",
    piece_count: int = 64,
) -> "object":
    """Train source/target sentencepiece models and write a Marian tokenizer.

    As in the real opus-mt models, ``</s>`` is id 0, ``<unk>`` id 1 and ``<pad>`` the last
    id (CTranslate2's Marian converter relies on that). ``vocab_size`` pads the vocabulary
    with unused entries up to that size.
    """
    from transformers import MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    _train_sentencepiece(fr_lines, out / "source", vocab_size=piece_count, model_type=model_type)
    _train_sentencepiece(en_lines, out / "target", vocab_size=piece_count, model_type=model_type)
    import sentencepiece as spm

    pieces = ["</s>", "<unk>"]
    for name in ("source.model", "target.model"):
        proc = spm.SentencePieceProcessor(model_file=str(out / name))
        pieces += [proc.id_to_piece(i) for i in range(proc.get_piece_size())]
    pieces = list(dict.fromkeys(pieces))
    if vocab_size is not None:
        pieces += [f"<unused{i}>" for i in range(vocab_size - 1 - len(pieces))]
    vocab = {piece: i for i, piece in enumerate(pieces + ["<pad>"])}
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
        attn_implementation="eager",
        attention_dropout=0.0,
        activation_dropout=0.0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    model = MarianMTModel(config)
    examples = training_examples()
    batch = tokenizer(
        [f for f, _, _ in examples], text_target=[e for _, e, _ in examples], padding=True, return_tensors="pt"
    )
    labels = batch["labels"].masked_fill(batch["labels"] == tokenizer.pad_token_id, -100)
    # Guided alignment: the cross-attention that the engines read (ALIGNMENT_LAYER, mean over
    # heads) is trained towards the known word alignment, so that tests can check the links.
    gold = torch.full(labels.shape, -100, dtype=torch.long)
    for row, (_, _, links) in enumerate(examples):
        gold[row, : len(links)] = torch.tensor(links)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps, pct_start=0.1)
    model.train()
    for _ in range(steps):
        optimiser.zero_grad()
        result = model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels,
            output_attentions=True,
        )
        attention = result.cross_attentions[ALIGNMENT_LAYER].mean(dim=1)  # batch, target, source
        align_loss = torch.nn.functional.nll_loss(
            torch.log(attention + 1e-9).transpose(1, 2), gold, ignore_index=-100
        )
        loss = result.loss + 0.5 * align_loss
        loss.backward()
        optimiser.step()
        schedule.step()
    model.eval()
    model.generation_config.num_beams = 1
    model.save_pretrained(out)
    (out / "README.md").write_text(
        "Tiny fr→en Marian test fixture built by tests.fixture_models.build_tiny_marian; "
        f"{steps} steps, seed {seed}, final loss {loss.item():.4f}. Not a usable translator.\n",
        encoding="utf-8",
    )
    return out


def build_opus_sized_marian(out: Path, sentences: list[str] | None = None, seed: int = 0) -> Path:
    """Save a randomly initialised model shaped exactly like ``Helsinki-NLP/opus-mt-fr-en``.

    d_model 512, 6+6 layers, 8 heads, FFN 2048, vocabulary 59,514, shared embeddings. Its
    sentencepiece models are trained on ``sentences`` (unigram, up to 8,000 pieces), so that
    real French splits into about as many tokens as with the real model; the rest of the
    vocabulary is unused padding.
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    out = Path(out)
    pairs = training_pairs()
    fr = sentences or [f for f, _ in pairs]
    tokenizer = _save_tokenizer(out, fr, fr, vocab_size=59514, model_type="unigram",
                                piece_count=min(8000, max(64, len(" ".join(fr).split()) // 4)))
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
