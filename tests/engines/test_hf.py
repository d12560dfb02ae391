import pytest

from tests.fixture_models import training_examples, training_pairs
from mtcheck.engines.hf import HFEngine
from mtcheck.engines.subwords import piece_spans
from mtcheck.errors import EngineError


def test_tiny_model_loads_through_from_pretrained_and_translates(hf_tiny):
    pairs = training_pairs()[:12]
    out = hf_tiny.translate([fr for fr, _ in pairs])
    assert [t.text for t in out] == [en for _, en in pairs]


def test_loading_a_marian_model_asks_for_no_package_that_changes_nothing(tiny_model):
    """transformers asks for sacremoses on every Marian load, for a normaliser it never calls:
    mtcheck does not pass that on to its users (it printed on every run)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        HFEngine(model=str(tiny_model), beam_size=1, local_files_only=True).translate(["le président ."])
    assert not [w for w in caught if "sacremoses" in str(w.message)]


def test_batches_keep_input_order(tiny_model):
    engine = HFEngine(model=str(tiny_model), beam_size=1, batch_tokens=12, local_files_only=True)
    pairs = training_pairs()
    # Mixed lengths and a budget that forces many length-sorted batches.
    texts = [pairs[0][0], "la source a refusé la frappe .", pairs[7][0], pairs[30][0]]
    expected = [pairs[0][1], "the source refused the strike .", pairs[7][1], pairs[30][1]]
    assert [t.text for t in engine.translate(texts)] == expected


def test_token_scores_are_log_probabilities(hf_tiny):
    (out,) = hf_tiny.translate([training_pairs()[5][0]])
    assert out.token_scores
    assert all(s.logprob <= 0.0 for s in out.token_scores)
    assert "".join(s.token for s in out.token_scores).replace("▁", " ").strip() == out.text


def test_alignment_maps_english_words_to_their_french_words(hf_tiny):
    """The fixture model is trained with guided alignment, so its links can be checked exactly."""
    examples = training_examples()
    outs = hf_tiny.translate([fr for fr, _, _ in examples])
    checked = correct = 0
    for (french, english, gold), out in zip(examples, outs):
        fr_words = french.split()
        assert [out.text[l.target_start : l.target_end] for l in out.links] == english.split()
        for link, gold_index in zip(out.links, gold):
            checked += 1
            correct += french[link.source_start : link.source_end] == fr_words[gold_index]
    assert correct / checked >= 0.95


def test_token_scores_match_the_model_loss(hf_tiny, tiny_model):
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    french, english = training_pairs()[9]
    (out,) = hf_tiny.translate([french])
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_model)
    batch = tokenizer([french], text_target=[out.text], return_tensors="pt")
    with torch.no_grad():
        loss = model(**batch).loss.item()  # mean negative log-likelihood, end-of-sentence included
    n = batch["labels"].shape[1]
    eos_logprob = -loss * n - sum(s.logprob for s in out.token_scores)
    assert eos_logprob <= 1e-4 and eos_logprob > -5  # what is left is the end token's log-probability


def test_links_point_at_words_of_the_source(hf_tiny):
    source = training_pairs()[1][0]
    (out,) = hf_tiny.translate([source])
    assert out.links
    words = set(source.split())
    for link in out.links:
        assert source[link.source_start : link.source_end] in words
        assert out.text[link.target_start : link.target_end] in out.text.split()


def test_signature_names_model_content_and_decoding(hf_tiny, tiny_model):
    sig = hf_tiny.signature
    assert f"model:{tiny_model}" in sig and "rev:sha256:" in sig and "beam:2" in sig


def test_missing_model_is_an_engine_error(tmp_path):
    with pytest.raises(EngineError, match="cannot load model"):
        HFEngine(model=str(tmp_path / "no-such-model"), local_files_only=True)


def test_piece_spans_follow_the_text():
    text = "le président a dit"
    assert piece_spans(text, ["▁le", "▁prés", "ident", "▁a", "▁dit"]) == [(0, 2), (3, 7), (7, 12), (13, 14), (15, 18)]
    # A piece that normalisation changed gets an empty span instead of a wrong one.
    assert piece_spans("l’arme", ["▁l", "'", "arme"])[1] == (1, 1)


def test_sentences_longer_than_the_model_accepts_are_truncated_not_fatal(hf_tiny):
    long = " ".join(["le chat dort"] * 100)  # past the fixture model's 64 positions
    (translation,) = hf_tiny.translate([long])
    assert translation.text.strip()
