"""The detection model: detector flags and word features in, calibrated flags and a document score out."""

import json
from dataclasses import replace
import math
from pathlib import Path

import pytest

from mtcheck.config import CheckConfig, load_config
from mtcheck.errors import ConfigError
from mtcheck.lang.grammalecte import french_word_classes, grammalecte_checker
from mtcheck.qe.combiner import Combiner, FamilyWeights, context_features, document_features, model_features
from mtcheck.qe.features import WordFeatures, article_word_features
from mtcheck.qe.model import DetectionModel, LinearScore, TreeEnsemble
from mtcheck.types import Category, Flag, Severity

from .detectors._context import context

needs_grammalecte = pytest.mark.skipif(grammalecte_checker() is None, reason="Grammalecte is not installed")
ROOT = Path(__file__).resolve().parent.parent


def _model(words: dict[str, float], bias: float = -3.0, threshold: float = 0.5,
           severity: dict[str, LinearScore] | None = None, document: LinearScore | None = None,
           precision: dict[str, float] | None = None) -> DetectionModel:
    # lexicon and grammar as if training had measured them as rarely right: the weights decide.
    return DetectionModel(
        detector_precision={"lexicon": 0.01, "grammar": 0.01} if precision is None else precision,
        words=LinearScore(words, bias), threshold=threshold,
        # By default: critical where a detector said critical, otherwise minor below logit 2, major above.
        severities=severity or {"minor": LinearScore({}, 0.0), "major": LinearScore({"logit": 1.0}, -2.0),
                                "critical": LinearScore({"hit_sev_critical": 10.0}, -5.0)},
        document=document or LinearScore({"mean_probability": -100.0}, 100.0))


def _flag(french: str, text: str, detector: str = "lexicon", severity: Severity = Severity.MAJOR,
          category: Category = Category.TERMINOLOGY) -> Flag:
    start = french.index(text)
    return Flag(start=start, end=start + len(text), text=text, category=category, severity=severity,
                message=f"{detector} says so", detector=detector, evidence={"rule": detector},
                suggestion="use the right word", confidence=0.9)


@needs_grammalecte
def test_a_rule_the_training_data_never_saw_counts_at_its_stated_confidence():
    """News rules rarely fire on product descriptions: their flags must not vanish because the
    model has no weight for them, and their own severity stands."""
    french = "Il ne faut pas laisser les Patriotes se mettent au chômage."
    rule = _flag(french, "se mettent", detector="causative-infinitive", severity=Severity.CRITICAL,
                 category=Category.GRAMMAR)
    combiner = Combiner(_model({}), french_word_classes())
    (flag,) = combiner.combine(context(french), [rule])[0]
    assert (flag.detector, flag.severity, flag.text) == ("causative-infinitive", Severity.CRITICAL, "se mettent")
    measured = Combiner(_model({}, precision={"causative-infinitive": 0.2}), french_word_classes())
    assert measured.combine(context(french), [rule])[0] == [], "measured below the threshold: the model decides"


@needs_grammalecte
def test_a_rules_record_without_references_does_not_weigh_its_flags_beside_one():
    """A detector that reads the original behaves otherwise without one (the truncation rule
    flags every trailing ellipsis when it cannot see whether the original trails off too):
    its precision measured without references must not hide its flags where there is one."""
    french = "Le président a déclaré que les partenaires se réunissent en..."
    quoted = "The president said the partners meet in Brussels on Monday to decide."
    rule = _flag(french, "se réunissent en...", detector="truncation", category=Category.OMISSION)
    split = replace(_model({}, precision={"truncation": 0.05}),
                    detector_precision_by_reference={"with": {}, "without": {"truncation": 0.05}})
    combiner = Combiner(split, french_word_classes())
    beside = context(french, references=[quoted])
    assert all(w.referenced for w in article_word_features(beside, french_word_classes()))
    assert [f.detector for f in combiner.combine(beside, [rule])[0]] == ["truncation"], \
        "no record beside a reference: the flag counts at its stated confidence"
    assert combiner.combine(context(french), [rule])[0] == [], "without an original its record decides"
    # A model file from before the records were split holds one record for both kinds.
    pooled = Combiner(_model({}, precision={"truncation": 0.05}), french_word_classes())
    assert pooled.combine(beside, [rule])[0] == [] and pooled.combine(context(french), [rule])[0] == []
    shipped = DetectionModel.load()
    assert shipped.flag_evidence(rule, referenced=True) >= shipped.threshold > shipped.flag_evidence(rule, False)


def test_the_model_is_a_logistic_regression_over_named_features():
    model = _model({"a": 1.5, "b": -0.5}, bias=-1.0)
    assert model.probability({"a": 1.0, "b": 1.0}) == pytest.approx(1 / (1 + math.exp(-(-1.0 + 1.5 - 0.5))))
    assert model.probability({"unseen": 1.0}) == pytest.approx(1 / (1 + math.exp(1.0)))
    assert [n for n, _ in model.contributions({"a": 1.0, "b": 1.0})] == ["a", "b"]


def test_severity_is_the_likeliest_class_and_the_document_score_stays_within_0_and_100():
    model = _model({})
    assert model.severity({}, 0.6) is Severity.MINOR  # logit 0.4: below the major score's 2
    assert model.severity({}, 0.99) is Severity.MAJOR
    assert model.severity({"hit_sev_critical": 1.0}, 0.6) is Severity.CRITICAL
    probabilities = model.severity_probabilities({}, 0.9)
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert model.document_mqm({"mean_probability": 0.1}) == pytest.approx(90.0)
    assert model.document_mqm({"mean_probability": 3.0}) == 0.0


def test_an_articles_expected_penalties_are_each_words_own():
    """The document score reads what an error at each word would cost; the article's words
    are priced together, and each price must be the one the word would get alone."""
    model = _model({})
    evidence = [{}, {"hit_sev_critical": 1.0, "hit_any": 1.0}, {}, {}]
    probabilities = [0.2, 0.6, 0.99, 1.0]
    assert model.expected_penalties(evidence, probabilities) == [
        model.expected_penalty(f, p) for f, p in zip(evidence, probabilities)]
    minor, major = model.expected_penalties([{}, {}], [0.01, 0.999])
    assert minor == pytest.approx(1.0, abs=0.1) and major == pytest.approx(5.0, abs=0.1)


def test_a_saved_model_loads_back_unchanged_and_a_broken_one_names_its_file(tmp_path):
    path = tmp_path / "model.json"
    model = replace(_model({"cap_unexplained": 2.0, "hit_lexicon": 3.0}),
                    detector_precision_by_reference={"with": {}, "without": {"truncation": 0.2}})
    model.save(path)
    again = DetectionModel.load(path)
    assert again.to_json() == model.to_json() and again.signature == model.signature
    assert again.detector_precision_by_reference == {"with": {}, "without": {"truncation": 0.2}}
    assert _model({"cap_unexplained": 2.5}).signature != model.signature
    path.write_text('{"words": {},\n "threshold": oops}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"model\.json, line 2: not valid JSON"):
        DetectionModel.load(path)
    data = model.to_json()
    path.write_text(json.dumps({**data, "threshold": 1.5}), encoding="utf-8")
    with pytest.raises(ConfigError, match="model.json: malformed detection model.*between 0 and 1"):
        DetectionModel.load(path)
    for weights, problem in (({"hit_lexicon": "3.0"}, "weights must be numbers, not \\['str'\\]"),
                             ([["hit_lexicon", 3.0]], "weights must be an object")):
        path.write_text(json.dumps({**data, "words": {"bias": 0.0, "weights": weights}}), encoding="utf-8")
        with pytest.raises(ConfigError, match=f"model.json: malformed detection model.*{problem}"):
            DetectionModel.load(path)
    path.write_text(json.dumps({**data, "detector_precision_by_reference": {"with": {}}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="needs 'with' and 'without'"):
        DetectionModel.load(path)
    path.write_text(json.dumps({**data, "severity": {"blocker": data["severity"]["minor"]}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="severities must be among"):
        DetectionModel.load(path)
    del data["document"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="needs document"):
        DetectionModel.load(path)
    with pytest.raises(ConfigError, match="not found"):
        DetectionModel.load(tmp_path / "missing.json")


def test_detector_flags_become_features_and_segments_without_a_reference_get_their_own_copies():
    french = "Il a parlé."
    word = WordFeatures(0, 2, "Il", 0, {"class_G": 1.0, "word=il": 1.0, "cap_mid": 1.0})
    flag = _flag(french, "Il a", detector="grammar", severity=Severity.MINOR, category=Category.GRAMMAR)
    features = model_features(word, [flag])
    assert {"hit_any", "hit_grammar", "hit_sev_minor", "hit_cat_grammar"} <= features.keys()
    assert features["noref|hit_grammar"] == 1.0 and features["noref|cap_mid"] == 1.0
    assert "noref|word=il" not in features  # the word itself means the same with or without an original
    referenced = WordFeatures(0, 2, "Il", 0, {"class_G": 1.0, "seg_has_reference": 1.0})
    assert not any(name.startswith("noref|") for name in model_features(referenced, [flag]))


@needs_grammalecte
def test_a_detector_flag_stays_where_the_model_agrees_and_keeps_its_message():
    french = "Les armes artificielles sont arrivées. Le pays remercie ses alliés."
    lexicon = _flag(french, "armes artificielles")
    grammar = _flag(french, "remercie", detector="grammar", severity=Severity.MINOR, category=Category.GRAMMAR)
    # The model trusts the lexicon and not the grammar detector.
    combiner = Combiner(_model({"hit_lexicon": 6.0, "hit_grammar": 1.0}), french_word_classes())
    flags, mqm = combiner.combine(context(french), [lexicon, grammar])
    (flag,) = flags
    assert (flag.start, flag.end, flag.text) == (lexicon.start, lexicon.end, "armes artificielles")
    assert (flag.detector, flag.category, flag.message, flag.suggestion) == (
        "lexicon", Category.TERMINOLOGY, "lexicon says so", "use the right word")
    assert flag.evidence["rule"] == "lexicon" and float(flag.evidence["probability"]) > 0.9
    assert flag.severity is Severity.MAJOR  # from the model's severity part, not copied
    assert 0 <= mqm < 100


@needs_grammalecte
def test_the_model_flags_what_no_detector_saw_and_says_why():
    french = "Le sac est lightweight and durable. Il convient au vélo."
    combiner = Combiner(_model({"copied_unknown": 6.0, "english_word": 6.0}), french_word_classes())
    ctx = context(french, references=["The bag is lightweight and durable.", "It fits the bike."],
                  reference_translations={"r0": "Le sac est imperméable et durable.", "r1": "Il convient au vélo."})
    (flag,) = combiner.combine(ctx, [])[0]
    assert flag.text == "lightweight and" == french[flag.start:flag.end]
    assert flag.detector == "model" and flag.category is Category.MISTRANSLATION
    assert "copied from the English original" in flag.message
    assert "imperméable" in flag.suggestion and flag.evidence["back_translation"]
    assert flag.severity is Severity.MINOR, "no rule explains it: the model does not call it major"


@needs_grammalecte
def test_links_paths_and_addresses_copied_from_the_original_are_flagged_only_by_a_detector():
    french = "Voir /usr/share/doc/dpkg, <debian-admin@lists.debian.org> et pic.twitter.com/4VZu4Jp ici."
    refs = ["See /usr/share/doc/dpkg, <debian-admin@lists.debian.org> and pic.twitter.com/4VZu4Jp here."]
    combiner = Combiner(_model({"copied_unknown": 6.0}), french_word_classes())
    assert "copied_unknown" in {f for w in article_word_features(context(french, references=refs),
                                                                french_word_classes()) for f in w.features}
    assert combiner.combine(context(french, references=refs), [])[0] == []
    residue = _flag(french, "pic.twitter.com/4VZu4Jp", detector="residue", category=Category.ARTIFACT)
    assert [f.text for f in combiner.combine(context(french, references=refs), [residue])[0]] \
        == ["pic.twitter.com/4VZu4Jp"]


@needs_grammalecte
def test_english_copied_as_it_is_is_told_from_an_identifier_or_a_name():
    """Technical French copies the original's program names rightly; English copied into the
    French is an error, and the bundled model learned to read the difference."""
    french = "Le sac lightweight de Nvidia tourne sous dpkg et dh_make sans souci."
    refs = ["The lightweight bag from Nvidia runs under dpkg and dh_make without trouble."]
    words = {w.text: w.features for w in article_word_features(context(french, references=refs), french_word_classes())}
    assert "copied_unknown_english" in words["lightweight"]
    for identifier in ("dpkg", "dh_make"):
        assert "copied_unknown" in words[identifier] and "copied_unknown_english" not in words[identifier]
    assert "copied_unknown_english" not in words["Nvidia"], "a name has features of its own"
    assert DetectionModel.load().words.weights["copied_unknown_english"] > 0


@needs_grammalecte
def test_a_word_no_detector_flagged_needs_the_higher_threshold():
    french = "Le sac est lightweight. Il convient au vélo."
    refs = ["The bag is lightweight.", "It fits the bike."]
    # copied_unknown alone gives probability sigmoid(3 - 3) = 0.5 on "lightweight."
    model = _model({"copied_unknown": 3.0}, threshold=0.4)
    assert [f.text for f in Combiner(model, french_word_classes()).combine(context(french, references=refs), [])[0]]
    stricter = replace(model, unexplained_threshold=0.6)
    assert Combiner(stricter, french_word_classes()).combine(context(french, references=refs), [])[0] == []
    rule = _flag(french, "lightweight", detector="untranslated")
    kept = Combiner(replace(stricter, detector_precision={"untranslated": 0.01}), french_word_classes())
    assert [f.detector for f in kept.combine(context(french, references=refs), [rule])[0]] == ["untranslated"]


@needs_grammalecte
def test_a_run_of_flagged_words_stops_at_the_end_of_its_segment():
    french = "Il est parti hier.\n\nHier il est parti."
    combiner = Combiner(_model({"word=hier": 6.0, "word+1=hier": 6.0, "word-1=hier": 6.0}), french_word_classes())
    flags = combiner.combine(context(french), [])[0]
    assert [f.text for f in flags] == ["parti hier", "Hier il"]
    assert len({f.segment_index for f in flags}) == 2


@needs_grammalecte
def test_a_flag_leaves_out_the_punctuation_its_words_carry():
    """Words are cut at spaces, so the last of a sentence carries its full stop: a span that
    took it in would lose it when its suggestion replaces the span."""
    french = "Il a parlé à la Maison Blanche. Puis il est parti."
    grammar = _flag(french, "Maison Blanche", detector="grammar", severity=Severity.MINOR, category=Category.GRAMMAR)
    combiner = Combiner(_model({"hit_grammar": 6.0}), french_word_classes())
    flags = combiner.combine(context(french), [grammar])[0]
    assert [f.text for f in flags] == ["Maison Blanche"]
    quoted = "Il a dit : «Nous partirons.»"
    model_only = Combiner(_model({"word=nous": 6.0, "word=partirons": 6.0}), french_word_classes())
    assert [f.text for f in model_only.combine(context(quoted), [])[0]] == ["Nous partirons"]


@needs_grammalecte
def test_a_fix_that_only_adds_a_hyphen_or_a_capital_is_minor_whatever_the_rule_costs_elsewhere():
    """The severity model learned one cost for all of Grammalecte's errors, major for most;
    a missing hyphen in "Maison Blanche" (which the press writes both ways) is not a major error."""
    french = "Il a parlé à la Maison Blanche. Le pays remercie ses alliés. Il a vu le président biden."
    hyphen = replace(_flag(french, "Maison Blanche", detector="grammar", severity=Severity.MINOR,
                           category=Category.GRAMMAR), suggestion="Maison-Blanche")
    agreement = replace(_flag(french, "remercie", detector="grammar", severity=Severity.MINOR,
                              category=Category.GRAMMAR), suggestion="remercient")
    capital = replace(_flag(french, "biden", detector="grammar", severity=Severity.MINOR,
                            category=Category.GRAMMAR), suggestion="Biden")
    combiner = Combiner(_model({"hit_grammar": 6.0}), french_word_classes())
    flags = combiner.combine(context(french), [hyphen, agreement, capital])[0]
    assert {(f.text, f.severity) for f in flags} == {
        ("Maison Blanche", Severity.MINOR), ("remercie", Severity.MAJOR), ("biden", Severity.MINOR)}


@needs_grammalecte
def test_a_rules_suggestion_replaces_exactly_the_span_of_its_flag():
    """The model may flag a word beside a rule's span (annotated errors often take in a
    neighbour): that word gets a flag of its own, so that the rule's replacement, put in place
    of its flag's span, gives the sentence the rule meant and deletes nothing."""
    french = "Hier, la célèbre Karine Jean-Sal a parlé."
    names = Flag(start=french.index("Karine"), end=french.index(" a parlé"), text="Karine Jean-Sal",
                 category=Category.MISTRANSLATION, severity=Severity.CRITICAL, message="garbled name",
                 detector="names", suggestion="Karine Jean-Pierre", confidence=0.7)
    combiner = Combiner(_model({"hit_names": 6.0, "word=célèbre": 6.0}), french_word_classes())
    flags = combiner.combine(context(french), [names])[0]
    assert [(f.text, f.detector) for f in flags] == [("célèbre", "model"), ("Karine Jean-Sal", "names")]
    rule = flags[1]
    assert french[: rule.start] + rule.suggestion + french[rule.end :] == "Hier, la célèbre Karine Jean-Pierre a parlé."
    assert "also_flagged_by" not in rule.evidence


@needs_grammalecte
def test_two_rules_flags_side_by_side_stay_two_flags_and_one_rules_touching_flags_one():
    """Each rule's fix must replace its own words only: a garbled name right after a missing
    hyphen is two errors, while Grammalecte's flags on both words of one agreement are one."""
    french = "La Maison Blanche, Karine Jean-Sal, a parlé des avions sans abri russes."
    hyphen = _flag(french, "Maison Blanche", detector="grammar", severity=Severity.MINOR, category=Category.GRAMMAR)
    names = replace(_flag(french, "Karine Jean-Sal", detector="names", category=Category.MISTRANSLATION),
                    suggestion="Karine Jean-Pierre")
    noun = _flag(french, "abri", detector="grammar", severity=Severity.MINOR, category=Category.GRAMMAR)
    adjective = _flag(french, "russes", detector="grammar", severity=Severity.MINOR, category=Category.GRAMMAR)
    combiner = Combiner(_model({"hit_names": 6.0, "hit_grammar": 6.0}), french_word_classes())
    flags = sorted(combiner.combine(context(french), [hyphen, names, noun, adjective])[0], key=lambda f: f.start)
    assert [(f.text, f.detector) for f in flags] == [
        ("Maison Blanche", "grammar"), ("Karine Jean-Sal", "names"), ("abri russes", "grammar")]
    name = flags[1]
    assert french[: name.start] + name.suggestion + french[name.end :] == (
        "La Maison Blanche, Karine Jean-Pierre, a parlé des avions sans abri russes.")


@needs_grammalecte
def test_a_name_of_the_references_or_of_the_article_is_not_an_unexplained_capital():
    french = ("Le conseiller Jake Sullivan a parlé. Selon Sullivan, les Patriotes se mettent au chômage. "
              "Il veut des Systèmes nouveaux.")
    ctx = context(french, references=["National security adviser Jake Sullivan said Patriot systems would help."])
    words = {w.text.strip(".,"): w.features for w in article_word_features(ctx, french_word_classes())}
    assert "name_in_references" in words["Sullivan"] and "cap_unexplained" not in words["Sullivan"]
    assert "name_elsewhere" in words["Jake"] or "name_in_references" in words["Jake"]
    assert "cap_unexplained" in words["Patriotes"] and "cap_unexplained" in words["Systèmes"]
    assert words["Le"].keys().isdisjoint({"cap_mid", "cap_unexplained"})
    assert 0 < words["Le"]["doc_reference_coverage"] <= 1


def test_the_document_features_measure_how_much_and_how_surely():
    words = [WordFeatures(0, 1, "a", 0, {"doc_reference_coverage": 0.5})] * 4
    features = document_features([0.9, 0.1, 0.1, 0.1], 0.5, [], words)
    assert features["share_flagged"] == 0.25 and features["mean_probability"] == pytest.approx(0.3)
    assert features["mean_top_decile"] == 0.9 and features["reference_coverage"] == 0.5


def test_the_document_score_reads_the_mean_of_each_context_column_over_the_words_it_has():
    import numpy as np

    words = [WordFeatures(0, 1, "a", 0, {})] * 3
    columns = {"p": np.array([0.9, 0.3, 0.3]), "p-1": np.array([np.nan, 0.9, 0.3]),
               "p-3": np.array([np.nan, np.nan, np.nan])}
    features = document_features([0.9, 0.3, 0.3], 0.5, [], words, columns=columns)
    assert features["mean_p"] == pytest.approx(0.5)
    assert features["mean_p-1"] == pytest.approx(0.6)  # a missing neighbour is not a 0
    assert features["mean_p-3"] == 0.0  # no word has one
    assert "mean_p" not in document_features([0.9], 0.5, [], words[:1])  # no columns: no second stage


def test_the_training_scripts_document_regression_gives_its_predictions_on_the_raw_features():
    """Fitted on standardised features, the score mtcheck applies to raw features must predict
    what the fitted regression does (the scaling folded into the weights)."""
    import numpy as np

    module = _training_script()
    rng = np.random.default_rng(0)
    x = np.c_[rng.random(200), 1000 * rng.random(200), np.zeros(200)]  # scales far apart, a constant
    y = 10 * x[:, 0] + 0.01 * x[:, 1] + rng.normal(0, 0.1, 200)
    fitted = module.document_regression(x, y, alpha=1.0)
    score = fitted.score(["a", "b", "constant"])
    raw = [score({"a": a, "b": b, "constant": c}) for a, b, c in x[:20]]
    assert raw == pytest.approx(list(fitted.predict(x[:20])))
    assert np.corrcoef(fitted.predict(x), y)[0, 1] > 0.95


@needs_grammalecte
def test_the_bundled_model_is_the_default_and_knows_the_features_the_pipeline_makes(hf_tiny):
    from mtcheck import Checker

    model = DetectionModel.load()
    assert 0 < model.threshold < 1 and model.target_precision
    figures = model.about["cross_validation"]
    assert figures["word_level"]["mcc"] > 0 and len(figures["per_fold"]) == 5
    french = "Le sac à dos imperméable comprend deux poches latérales et une sangle réglable."
    ctx = context(french, references=["The waterproof backpack has two side pockets and an adjustable strap."],
                  reference_translations={"r0": "Le sac à dos imperméable a deux poches latérales et une sangle."})
    made = {name for w in article_word_features(ctx, french_word_classes()) for name in model_features(w, [])}
    # A renamed feature would leave the model's weight unused: most made features must be known.
    assert len(made & model.words.weights.keys()) / len(made) > 0.6
    checker = Checker(engine=hf_tiny, reverse_engine=None)
    report = checker.check("le président a parlé .")
    assert f"|flag_model:{model.signature}|" in str(report.signature)
    assert report.mqm_estimate_source == "model"
    plain = Checker(engine=hf_tiny, reverse_engine=None, combiner=None).check("le président a parlé .")
    assert plain.signature.flag_model == "none" and plain.mqm_estimate_source == "flags"


def test_the_config_chooses_the_flag_model_and_names_a_bad_one(tmp_path):
    assert CheckConfig().flag_model == "bundled"
    assert CheckConfig().override(flag_model="none").build_combiner() is None
    path = tmp_path / "run.toml"
    path.write_text('flag_model = "models/mine.json"\n', encoding="utf-8")
    config = load_config(path)
    assert config.flag_model == str((tmp_path / "models" / "mine.json").resolve())
    if grammalecte_checker() is not None:
        with pytest.raises(ConfigError, match="mine.json: detection model not found"):
            config.build_combiner()
    path.write_text("flag_model = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="run.toml: flag_model must be"):
        load_config(path)


def test_the_model_card_names_the_data_its_licence_and_the_figures_of_the_bundled_model():
    card = (ROOT / "mtcheck" / "resources" / "models" / "detection.md").read_text(encoding="utf-8")
    about = DetectionModel.load().about
    assert "WMT20" in card and "GPL-2.0-or-later" in card and "scripts/train_combiner.py" in card
    figures = about["cross_validation"]["word_level"]
    assert f"{figures['mcc']:.3f}" in card and f"{figures['f1_bad']:.3f}" in card
    assert f"{about['cross_validation']['document_mqm']['pearson']:.3f}" in card


def test_the_training_script_records_the_context_the_checker_builds(hf_tiny):
    """scripts/train_combiner.py reads every document through a recording detector; a
    Checker that stopped showing detectors its context would train on nothing."""
    from mtcheck import Checker

    module = _training_script()
    recorder = module.ContextRecorder()
    report = Checker(engine=hf_tiny, detectors=[recorder], reverse_engine=None).check("le président a parlé .")
    assert recorder.context is not None and tuple(recorder.context.segments) == report.segments


def test_the_training_labels_mark_the_words_a_human_changed():
    """TER labels: machine words the human French keeps are OK, the others BAD."""
    module = _training_script()
    machine = "Le fichier de configuration est lu au démarrage"
    human = "Le fichier de configuration est chargé au démarrage"
    bad = module.ter_bad_words(machine, human)
    assert [machine[s:e] for s, e in bad] == ["lu"]
    assert module.ter_bad_words(human, human) == []


def test_documents_that_share_a_segment_are_never_split_across_folds():
    """The same product blurb under two products is one group, so cross-validation never
    tests a segment on what its copy taught; a short common segment ("Voir plus") joins nothing."""
    module = _training_script()

    def doc(group: int, *segments: str):
        return module.TrainingDocument(f"d{group}", "wmt20", group, "\n\n".join(segments), [], [], None)

    blurb = "Un guide complet pour les pêcheurs à la mouche"
    docs = [doc(1, "Titre un", blurb), doc(2, blurb.upper(), "Autre chose encore ici"),
            doc(3, "Autre chose encore ici", "Fin"), doc(4, "Voir plus", "Tout à fait différent ici et là"),
            doc(5, "Voir plus")]
    merged = module.merge_shared_groups(docs)
    groups = [d.group for d in docs]
    assert groups[0] == groups[1] == groups[2]  # 1 and 2 by the blurb (case aside), 2 and 3 by another
    assert len({groups[0], groups[3], groups[4]}) == 3
    assert merged == 2


def test_a_ter_labelled_document_is_scored_as_wmt_scores_its_documents():
    """The document score also learns from TER-labelled manuals: their MQM is what a WMT
    document with as many BAD words would score, clipped at 0 like WMT's."""
    module = _training_script()

    def rows(source: str, mqm: float | None, bad: list[bool]):
        doc = module.TrainingDocument("d", source, 0, "", [], [], mqm)
        return module.Rows(doc, [], [], bad, [], [])

    # 10 words, MQM 50: a penalty of 5 over 2 BAD words, 2.5 each; a clipped document says nothing.
    wmt = [rows("wmt20", 50.0, [True, True] + [False] * 8), rows("wmt20", 0.0, [True] * 10)]
    penalty = module.penalty_per_bad_word(wmt)
    assert penalty == pytest.approx(2.5)
    assert module.labelled_mqm([False] * 20, penalty) == 100.0
    assert module.labelled_mqm([True] + [False] * 19, penalty) == pytest.approx(87.5)
    assert module.labelled_mqm([True] * 10 + [False] * 10, penalty) == 0.0


def _training_script():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("train_combiner", ROOT / "scripts" / "train_combiner.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_combiner"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _stump(feature: int, threshold: float, left: float, right: float, missing_left: bool) -> list[list[float]]:
    return [[feature, threshold, 1, 2, int(missing_left), 0.0], [-1, 0, 0, 0, 0, left], [-1, 0, 0, 0, 0, right]]


def test_the_second_stage_walks_each_tree_and_sends_a_missing_neighbour_where_training_did():
    np = pytest.importorskip("numpy")
    trees = TreeEnsemble(["p", "p+1"], [_stump(0, 0.5, -1.0, 2.0, True), _stump(1, 0.5, 0.0, 1.5, False)], bias=0.25)
    columns = {"p": np.array([0.9, 0.1, 0.9, np.nan]), "p+1": np.array([0.9, 0.1, np.nan, 0.2])}
    assert trees.logits(columns) == pytest.approx([0.25 + 2.0 + 1.5, 0.25 - 1.0, 0.25 + 2.0 + 1.5, 0.25 - 1.0])
    assert trees.logits({"p": np.array([0.9])}) == pytest.approx([0.25 + 2.0]), "a feature not given reads 0"
    again = TreeEnsemble.from_json(json.loads(json.dumps(trees.to_json())))
    assert again.logits(columns) == trees.logits(columns)
    # scikit-learn's split of the missing values from all the others: an infinite threshold.
    apart = TreeEnsemble(["p"], [_stump(0, math.inf, -1.0, 2.0, False)])
    assert apart.logits({"p": np.array([0.9, 1e300, np.nan])}) == [-1.0, -1.0, 2.0]
    broken = trees.to_json()
    broken["trees"][0][0][2] = 7
    with pytest.raises(ValueError, match="within its tree"):
        TreeEnsemble.from_json(broken)


def test_the_first_stage_logit_splits_by_family_and_sums_back():
    """The trees read the first stage's logit family by family; the parts must add up to it,
    each holding only its own family's weights, for every word however often a name recurs."""
    score = LinearScore({"word=est": 1.5, "hit_grammar": 2.0, "class_N": -0.5, "pair_N_V": 0.25,
                         "cap_mid": 0.75, "noref|hit_grammar": 3.0}, bias=-1.0)
    weights = FamilyWeights(score)
    words = [{"word=est": 1.0, "class_N": 1.0, "cap_mid": 1.0, "unknown": 1.0},
             {"hit_grammar": 1.0, "noref|hit_grammar": 1.0, "pair_N_V": 1.0, "seg_similarity": 0.5},
             {"word=est": 1.0, "class_N": 1.0}]
    for features in words + words:
        parts = weights.parts(features)
        assert sum(parts.values()) + score.bias == pytest.approx(score(features))
    assert weights.parts(words[0]) == {"word": 1.5, "hit": 0.0, "class": -0.5, "rest": 0.75}
    assert weights.parts(words[1]) == {"word": 0.0, "hit": 5.0, "class": 0.25, "rest": 0.0}


def test_the_second_stage_reads_a_words_neighbours_only_within_its_segment():
    np = pytest.importorskip("numpy")
    words = [WordFeatures(i, i + 1, "x", segment, {"class_N": 1.0}) for i, segment in enumerate([0, 0, 1])]
    flag = Flag(1, 2, "x", Category.GRAMMAR, Severity.MINOR, "m", "grammar")
    columns = context_features(words, [0.1, 0.8, 0.3], [0.0, 0.6, 0.0], [(), (flag, flag), ()])
    assert columns["p+1"][0] == 0.8 and columns["rule+1"][0] == 0.6 and np.isnan(columns["p-1"][0])
    assert np.isnan(columns["p+1"][1]), "the next word is in another segment"
    assert np.isnan(columns["p-1"][2]) and columns["seg_max"][2] == 0.3 and columns["seg_max"][0] == 0.8
    assert columns["seg_mean"][1] == pytest.approx(0.45) and columns["position"][1] == 0.5
    assert columns["doc_mean"][0] == pytest.approx(0.4) and columns["class_N"][1] == 1.0
    assert np.isnan(columns["p-3"]).all() and np.isnan(columns["p+2"]).all()
    assert list(columns["detectors"]) == [0, 1, 0]  # detectors, not flags


@needs_grammalecte
def test_a_word_between_likely_errors_is_flagged_by_the_second_stage():
    """Errors come in runs: the trees may flag a word whose own first probability is low when
    both neighbours are likely wrong, which one weight per word cannot."""
    french = "Le sac est très léger et durable."
    first = _model({"word=est": 6.0, "word=léger": 6.0}, threshold=0.5)
    combiner = Combiner(first, french_word_classes())
    assert [f.text for f in combiner.combine(context(french), [])[0]] == ["est", "léger"]
    # One tree: flagged (logit +3) when both neighbours passed 0.9, otherwise follow the word's own.
    tree = [[0, 0.9, 1, 2, 1, 0.0], [1, 0.5, 3, 4, 1, 0.0], [2, 0.9, 1, 5, 1, 0.0],
            [-1, 0, 0, 0, 0, -3.0], [-1, 0, 0, 0, 0, 3.0], [-1, 0, 0, 0, 0, 3.0]]
    both = replace(first, context=TreeEnsemble(["p-1", "p", "p+1"], [tree]))
    flags = Combiner(both, french_word_classes()).combine(context(french), [])[0]
    assert [f.text for f in flags] == ["est très léger"]


def test_exported_trees_give_scikit_learns_own_logits():
    """The shipped model's trees are exported node by node from scikit-learn; a wrong reading
    of its nodes (threshold side, missing values) would change every flag silently."""
    np = pytest.importorskip("numpy")
    ensemble = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(0)
    x = rng.random((600, 3))
    x[::5, 1] = np.nan
    y = (x[:, 0] + np.nan_to_num(x[:, 1], nan=0.8) > 1.0) ^ (rng.random(600) < 0.1)
    fitted = ensemble.HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=7).fit(x, y)
    module = _training_script()
    exported = module.export_trees(fitted, ["a", "b", "c"], x[:50])
    columns = {"a": x[50:, 0], "b": x[50:, 1], "c": x[50:, 2]}
    assert exported.logits(columns) == pytest.approx(list(fitted.decision_function(x[50:])), abs=1e-6)

