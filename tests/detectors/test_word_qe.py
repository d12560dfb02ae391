import json
import math
from pathlib import Path

import pytest

from mtcheck.config import load_config
from mtcheck.detectors import build_detectors
from mtcheck.detectors.word_qe import WordQEDetector
from mtcheck.errors import ConfigError
from mtcheck.lang.grammalecte import french_word_classes, grammalecte_checker
from mtcheck.qe.model import LinearWordModel
from mtcheck.types import Category, Severity
from mtcheck.qe.features import article_word_features

from ._context import context

needs_grammalecte = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")

ROOT = Path(__file__).resolve().parent.parent.parent


def _model_file(tmp_path, weights, bias=-3.0, threshold=0.5, major=0.9):
    path = tmp_path / "model.json"
    LinearWordModel(weights=weights, bias=bias, threshold=threshold, major_threshold=major).save(path)
    return path


def test_probability_is_the_logistic_of_bias_plus_active_weights():
    model = LinearWordModel(weights={"a": 1.5, "b": -0.5, "c": 2.0}, bias=-1.0, threshold=0.5, major_threshold=0.8)
    assert model.probability({"a": 1.0, "b": 1.0}) == pytest.approx(1 / (1 + math.exp(-(-1.0 + 1.5 - 0.5))))
    assert model.probability({"unseen": 1.0}) == pytest.approx(1 / (1 + math.exp(1.0)))
    assert [name for name, _ in model.contributions({"a": 1.0, "b": 1.0, "c": 0.5})] == ["a", "c", "b"]


def test_a_saved_model_loads_back_unchanged(tmp_path):
    path = _model_file(tmp_path, {"word=de": 0.25, "cap_mid": 1.0})
    model = LinearWordModel.load(path)
    assert model.weights == {"cap_mid": 1.0, "word=de": 0.25}
    assert (model.bias, model.threshold, model.major_threshold) == (-3.0, 0.5, 0.9)


def test_a_broken_model_file_is_reported_with_its_path_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"weights": {},\n "bias": oops}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.json, line 2: not valid JSON"):
        LinearWordModel.load(path)
    path.write_text(json.dumps({"weights": {}, "bias": 0}), encoding="utf-8")
    with pytest.raises(ConfigError, match="needs threshold, major_threshold"):
        LinearWordModel.load(path)
    with pytest.raises(ConfigError, match="not found"):
        LinearWordModel.load(tmp_path / "missing.json")


@needs_grammalecte
def test_word_features_see_copies_pseudo_reference_and_capitals():
    french = "Le kit comprend un Polyester pochette lightweight pour le vélo."
    ctx = context(french, references=["The kit includes a lightweight polyester pouch for the bike."],
                  back_translations=["The kit includes a Polyester pouch lightweight for the bike."],
                  reference_translations={"r0": "Le kit inclut une pochette de polyester pour la bicyclette."})
    words = {w.text.strip("."): w.features for w in article_word_features(ctx, french_word_classes())}
    assert "cap_mid" in words["Polyester"] and "cap_mid" not in words["Le"]
    assert "prev_cap_mid" in words["pochette"]
    assert "copied_unknown" in words["lightweight"]  # copied from the English, not French
    assert "in_pseudo" in words["pochette"] and "in_pseudo" in words["polyester".capitalize()]
    assert "pseudo_missing" in words["vélo"]  # Apertium's French says "bicyclette"
    assert words["comprend"]["word=comprend"] == 1.0 and "word-1=kit" in words["comprend"]
    assert words["Le"]["seg_has_reference"] == 1.0


@needs_grammalecte
def test_runs_of_words_over_the_threshold_become_one_flag_each(tmp_path):
    # A hand-written model: English copied into the French is an error, nothing else is.
    path = _model_file(tmp_path, {"copied_unknown": 6.0, "english_word": 6.0}, bias=-3.0, major=0.9)
    french = "Le sac est lightweight and durable. Il convient au vélo."
    ctx = context(french, references=["The bag is lightweight and durable.", "It fits the bike."],
                  reference_translations={"r0": "Le sac est imperméable et durable.", "r1": "Il convient au vélo."})
    (flag,) = WordQEDetector(model=str(path)).detect(ctx)
    assert flag.text == "lightweight and" == french[flag.start:flag.end]
    assert flag.category is Category.MISTRANSLATION and flag.severity is Severity.MAJOR
    assert "copied from the English original" in flag.message
    assert "imperméable" in flag.suggestion and flag.evidence["back_translation"]
    # "and" is both copied and an English word: only it passes a higher threshold.
    assert [f.text for f in WordQEDetector(model=str(path), threshold=0.99).detect(ctx)] == ["and"]


@needs_grammalecte
def test_the_bundled_model_knows_the_features_the_extractor_makes():
    model = LinearWordModel.load()
    assert 0 < model.threshold < model.major_threshold < 1
    assert model.about["word_level_mcc"]["held_out"] > 0
    french = "Le sac à dos imperméable comprend deux poches latérales et une sangle réglable."
    ctx = context(french, references=["The waterproof backpack has two side pockets and an adjustable strap."],
                  reference_translations={"r0": "Le sac à dos imperméable a deux poches latérales et une sangle."})
    made = {name for w in article_word_features(ctx, french_word_classes()) for name in w.features}
    # A renamed feature would leave the model's weight unused: most made features must be known.
    assert len(made & model.weights.keys()) / len(made) > 0.6


def test_word_qe_is_opt_in_and_chosen_by_the_product_config():
    from mtcheck.detectors import default_detectors

    assert "word-qe" not in default_detectors()
    config = load_config(ROOT / "data" / "configs" / "product-descriptions.toml")
    assert "word-qe" in config.detectors


def test_a_threshold_outside_zero_one_is_refused():
    if grammalecte_checker() is None:
        with pytest.raises(ConfigError, match="Grammalecte"):
            build_detectors(["word-qe"])
        return
    with pytest.raises(ConfigError, match="threshold must lie between 0 and 1"):
        build_detectors(["word-qe"], {"word-qe": {"threshold": 1.5}})


def test_the_document_estimate_scales_the_mean_probability_and_stops_at_zero():
    model = LinearWordModel(weights={}, bias=0.0, threshold=0.5, major_threshold=0.8, document_scale=2.0)
    assert model.document_mqm([0.2, 0.4]) == pytest.approx(100 - 100 * 2.0 * 0.3)
    assert model.document_mqm([0.9, 0.8]) == 0.0
    assert LinearWordModel(weights={}, bias=0.0, threshold=0.5, major_threshold=0.8).document_mqm([0.5]) is None


_SOURCE = ["Waterproof hiking backpack with adjustable straps.",
           "The bag is made of durable nylon and has two side pockets."]
_GOOD = "Sac à dos de randonnée imperméable avec bretelles réglables.\n\nLe sac est en nylon résistant et possède deux poches latérales."
_BAD = "Waterproof Randonnée Sac à dos avec réglables Sangles.\n\nLe sac est fait de durable nylon et a deux côté poches."


@needs_grammalecte
def test_with_word_qe_the_report_scores_a_word_for_word_translation_below_a_fluent_one(apertium):
    from mtcheck import Checker, Reference

    config = load_config(ROOT / "data" / "configs" / "product-descriptions.toml")
    checker = Checker(engine=apertium, detectors=config.build_detectors())
    refs = [Reference(id=f"s{i}", text=t) for i, t in enumerate(_SOURCE)]
    good, bad = checker.check(_GOOD, refs), checker.check(_BAD, refs)
    assert good.mqm_estimate_source == bad.mqm_estimate_source == "word-qe"
    assert 0 <= bad.mqm_estimate < good.mqm_estimate <= 100
    flagged = [f for f in bad.flags if "word-qe" in (f.detector, f.evidence.get("also_flagged_by", ""))]
    assert flagged and all(f.text == _BAD[f.start:f.end] for f in flagged)
    assert bad.to_dict()["mqm_estimate_source"] == "word-qe"


def test_the_training_script_records_the_context_the_checker_builds(hf_tiny):
    """scripts/train_word_qe.py reads every document through a recording detector; it broke
    unnoticed once when the Checker began asking detectors what they use."""
    import importlib.util
    from pathlib import Path

    from mtcheck import Checker

    script = Path(__file__).resolve().parents[2] / "scripts" / "train_word_qe.py"
    spec = importlib.util.spec_from_file_location("train_word_qe", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recorder = module.ContextRecorder()
    report = Checker(engine=hf_tiny, detectors=[recorder], reverse_engine=None).check("le président a parlé .")
    assert recorder.context is not None and tuple(recorder.context.segments) == report.segments
