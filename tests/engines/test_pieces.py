"""The ct2 engine's own reading of a Marian tokenizer must be transformers' reading, piece for piece."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mtcheck.engines.pieces import MarianPieces, TransformersPieces, load_pieces, marian_pieces
from mtcheck.resources import sample_folder
from tests.fixture_models import training_examples

EDGE_CASES = ["", " ", "<unk>", "a</s>b", "<unk></s>", "x <pad> y", ">>en<< Bonjour le monde", ">>xx<<",
              "Ça 🙂 ﬁn…  —  « ok »", "\t\tdeux tabulations", "mot " * 700]


def _sentences() -> list[str]:
    article = (sample_folder() / "article.fr.txt").read_text(encoding="utf-8")
    professional = [p.read_text(encoding="utf-8") for p in sorted(Path("tests/data/professional").rglob("*.txt"))]
    lines = [line for text in (article, *professional) for line in text.splitlines()]
    return [*lines, *(fr for fr, _, _ in training_examples()), *(en for _, en, _ in training_examples()), *EDGE_CASES]


def test_marian_pieces_encode_and_decode_as_transformers_does(tiny_model):
    fast, slow = marian_pieces(tiny_model), TransformersPieces(tiny_model)
    assert isinstance(fast, MarianPieces)
    assert fast.special_tokens == slow.special_tokens and fast.model_max_length == slow.model_max_length
    for sentence in _sentences():
        for limit in (512, 6):  # 6: truncated, the end token kept
            assert fast.encode(sentence, limit) == slow.encode(sentence, limit), sentence
        pieces = fast.encode(sentence, 512)[:-1]
        with_special = [*pieces[:3], "<unk>", *pieces[3:]]
        assert fast.decode(with_special) == slow.decode(with_special), sentence


def test_a_tokenizer_it_cannot_match_exactly_goes_to_transformers(tiny_model, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model, folder)
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    assert isinstance(load_pieces(folder), MarianPieces)
    config["separate_vocabs"] = True
    config_path.write_text(json.dumps(config), encoding="utf-8")
    assert marian_pieces(folder) is None
    config["separate_vocabs"] = False
    config["added_tokens_decoder"] = {**config.get("added_tokens_decoder", {}),
                                      "7": {"content": "<extra>", "lstrip": False, "rstrip": False}}
    config_path.write_text(json.dumps(config), encoding="utf-8")
    assert marian_pieces(folder) is None
    assert isinstance(load_pieces(folder), TransformersPieces)


def test_the_ct2_engine_loads_without_importing_transformers(tiny_model, tmp_path):
    pytest.importorskip("ctranslate2")
    from mtcheck.engines.ct2 import CT2Engine

    CT2Engine(model=str(tiny_model), beam_size=1, cache_dir=tmp_path)  # converted here, with transformers
    probe = (f"from mtcheck.engines.ct2 import CT2Engine\n"
             f"e = CT2Engine(model={str(tiny_model)!r}, beam_size=1, cache_dir={str(tmp_path)!r})\n"
             f"print(e.translate([{training_examples()[0][0]!r}])[0].text)\n"
             "import sys; print(sorted(m for m in ('transformers', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[-1] == "[]" and out[-2].strip()
