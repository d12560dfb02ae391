import json
from pathlib import Path

import pytest
from .cli_runner import run_cli

from mtcheck.compare import compare_runs, paired_bootstrap, parse_tolerances
from mtcheck.errors import ConfigError, InputError

from .conftest import SAMPLE_DIR

REFS = [f"The minister said on day {i} that the missiles will speak for themselves." for i in range(30)]
GOOD = [f"The minister said on day {i} that the missiles will speak for themselves." for i in range(30)]
POOR = [f"Minister has told in day {i} what rockets speak by them." for i in range(30)]


def _report(path, hyps, article="a1", refs=REFS, neural=None):
    pairs = [{"reference_id": f"r{i}", "segment_indices": [i], "hypothesis": h, "reference": r,
              "scores": {"bleu": 0, "chrf": 0, "ter": 0}} for i, (h, r) in enumerate(zip(hyps, refs))]
    scores = [{"metric": "bertscore", "model": "m", "reference_id": f"r{i}", "segment_indices": [i], "score": v}
              for i, v in enumerate(neural or [])]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"article": {"id": article}, "pairs": pairs, "neural": scores}), encoding="utf-8")
    return path


def _by_metric(result):
    return {m.metric: m for m in result.metrics}


def test_a_clearly_better_run_wins_by_more_than_the_tolerance(tmp_path):
    result = compare_runs(_report(tmp_path / "a.json", POOR), _report(tmp_path / "b.json", GOOD), samples=200)
    bleu, ter = _by_metric(result)["BLEU"], _by_metric(result)["TER"]
    assert result.pairs == 30 and result.articles == 1
    assert bleu.verdict == "b" and bleu.delta_low > 1.0 and bleu.delta_low <= bleu.delta <= bleu.delta_high
    assert ter.verdict == "b" and ter.delta < 0  # lower TER is better
    assert "B better" in result.to_text()


def test_a_tiny_but_significant_difference_is_no_meaningful_difference():
    # B differs from A by one word in one sentence out of 300: a p-value alone calls that "better"
    refs = [f"The minister said on day {i} that the new missiles will speak for themselves soon." for i in range(300)]
    a = [r.replace("new ", "") for r in refs]
    b = list(a)
    b[7] = refs[7]
    result = paired_bootstrap(a, b, refs, samples=300)
    bleu = _by_metric(result)["BLEU"]
    assert 0 < bleu.delta < 0.5 and bleu.verdict == "equivalent"
    assert "no meaningful difference (within ±1)" in result.to_text()
    strict = _by_metric(paired_bootstrap(a, b, refs, samples=300, tolerances={"*": 0.0001}))["BLEU"]
    assert strict.verdict in ("b", "inconclusive")


def test_few_noisy_pairs_are_inconclusive():
    refs = ["The army left the town.", "Prices rose sharply in May.", "He thanked his allies.", "It rained."]
    a = ["The army left the town.", "Costs went up.", "He thanked allies.", "Rain fell."]
    b = ["Soldiers quit the city.", "Prices rose sharply in May.", "His allies were thanked.", "It rained."]
    bleu = _by_metric(paired_bootstrap(a, b, refs, samples=300))["BLEU"]
    assert bleu.delta_low < 0 < bleu.delta_high and bleu.verdict == "inconclusive"


def test_identical_runs_are_equivalent_with_a_zero_interval():
    result = paired_bootstrap(GOOD[:10] + POOR[10:], GOOD[:10] + POOR[10:], REFS, samples=200)
    assert not any(m.significant for m in result.metrics)
    assert all((m.delta_low, m.delta_high, m.verdict) == (0, 0, "equivalent") for m in result.metrics)


def test_scores_equal_sacrebleu_corpus_scores():
    from sacrebleu.metrics import BLEU, CHRF, TER

    scores = _by_metric(paired_bootstrap(POOR, GOOD, REFS, samples=50))
    assert scores["BLEU"].score_a == pytest.approx(BLEU().corpus_score(POOR, [REFS]).score)
    assert scores["chrF2++"].score_b == pytest.approx(CHRF(word_order=2).corpus_score(GOOD, [REFS]).score)
    assert scores["TER"].score_a == pytest.approx(TER().corpus_score(POOR, [REFS]).score)


def test_tolerances_parse_per_metric_and_refuse_nonsense():
    assert parse_tolerances(["0.5", "TER=2"]) == {"*": 0.5, "TER": 2.0}
    for bad in ("x", "BLEU=", "-1"):
        with pytest.raises(ConfigError, match="--tolerance"):
            parse_tolerances([bad])
    result = paired_bootstrap(POOR, GOOD, REFS, samples=20, tolerances={"TER": 3.0, "*": 0.5})
    assert [m.tolerance for m in result.metrics] == [0.5, 0.5, 3.0]


def test_pairing_by_path_and_a_clear_message_when_nothing_pairs(tmp_path):
    # the same two files, renamed articles: ids differ, paths match
    a = tmp_path / "run-a"
    b = tmp_path / "run-b"
    for name in ("x", "y"):
        _report(a / f"{name}.json", POOR, article=f"old-{name}")
        _report(b / f"{name}.json", GOOD, article=f"new-{name}")
    with pytest.raises(InputError, match=r"no article pairs .* by id \(A holds 'old-x', 'old-y'; B holds "
                                         r"'new-x', 'new-y'\); try --pair-by path"):
        compare_runs(a, b)
    by_path = compare_runs(a, b, samples=50, pair_by="path")
    assert (by_path.pairs, by_path.articles, by_path.pair_by) == (60, 2, "path")
    out = run_cli(["compare", str(a), str(b), "--samples", "50", "--pair-by", "path"])
    assert out.exit_code == 0 and "60 shared pairs in 2 article(s) paired by path" in out.stdout
    refused = run_cli(["compare", str(a), str(b)])
    assert refused.exit_code == 2 and "try --pair-by path" in refused.stderr
    # two single reports are each a run of one file: by path they always pair
    single = compare_runs(a / "x.json", b / "y.json", samples=20, pair_by="path")
    assert (single.pairs, single.articles) == (30, 1)


def test_articles_that_pair_but_share_no_reference_say_so(tmp_path):
    a = _report(tmp_path / "a.json", POOR)
    b = _report(tmp_path / "b.json", GOOD, refs=[f"Another reference {i}." for i in range(30)])
    b_data = json.loads(b.read_text())
    for pair in b_data["pairs"]:
        pair["reference_id"] = "q" + pair["reference_id"]
    b.write_text(json.dumps(b_data))
    with pytest.raises(InputError, match=r"shares 0 aligned pair\(s\) .* in 1 article\(s\) paired by id"):
        compare_runs(a, b)


def test_neural_scores_in_the_reports_are_compared_and_missing_ones_need_the_package(tmp_path):
    a = _report(tmp_path / "a.json", POOR, neural=[0.80 + 0.001 * i for i in range(30)])
    b = _report(tmp_path / "b.json", GOOD, neural=[0.95 + 0.001 * i for i in range(30)])
    result = compare_runs(a, b, samples=100, neural="bertscore")
    bert = _by_metric(result)["bertscore"]
    assert bert.delta == pytest.approx(15.0) and bert.verdict == "b"
    bare_a, bare_b = _report(tmp_path / "c.json", POOR), _report(tmp_path / "d.json", GOOD)
    out = run_cli(["compare", str(bare_a), str(bare_b), "--neural", "bertscore"])
    assert out.exit_code == 2 and "bert-score" in out.stderr and "mtcheck[neural]" in out.stderr


def test_cli_compare_json_and_a_missing_run(tmp_path):
    a, b = _report(tmp_path / "a.json", POOR), _report(tmp_path / "b.json", GOOD)
    out = run_cli(["compare", str(a), str(b), "--samples", "100", "--format", "json"])
    data = json.loads(out.stdout)
    assert out.exit_code == 0 and data["pairs"] == 30
    bleu = data["metrics"][0]
    assert bleu["verdict"] == "b" and bleu["delta_ci"][0] <= bleu["delta"] <= bleu["delta_ci"][1]
    bad = run_cli(["compare", str(a), str(tmp_path / "nope.json")])
    assert bad.exit_code == 2 and "nope.json" in bad.stderr


def test_a_batch_folder_with_no_checked_article_says_so(tiny_model: Path, tmp_path: Path):
    """Not "not an mtcheck report" about a file mtcheck keeps for itself."""
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": ""}\n{"id": "y", "text": " "}\n', encoding="utf-8")
    batch = run_cli(["batch", str(source), "-o", str(tmp_path / "run"), "--engine", "hf", "--model", str(tiny_model),
                     "--quiet"])
    assert batch.exit_code == 2 and "2 of 2 article(s) could not be checked" in batch.stderr, batch.stderr
    (tmp_path / "run" / ".run-signatures.json").write_text("{}", encoding="utf-8")  # as a run that had results
    a = _report(tmp_path / "a.json", GOOD)
    out = run_cli(["compare", str(a), str(tmp_path / "run")])
    assert out.exit_code == 2
    assert "holds no checked article yet (2 failed: see" in out.stderr and "errors.jsonl" in out.stderr


def test_two_batch_folders_compare_on_the_references_they_both_found(tiny_model: Path, apertium, tmp_path: Path):
    from mtcheck import Checker
    from mtcheck.batch.run import check_corpus
    from mtcheck.engines.hf import HFEngine

    detectors = ["reference-divergence"]
    check_corpus(SAMPLE_DIR.parent, tmp_path / "hf",
                 lambda: Checker(engine=HFEngine(str(tiny_model), beam_size=1, local_files_only=True),
                                 detectors=detectors), progress=False)
    check_corpus(SAMPLE_DIR.parent, tmp_path / "apertium", lambda: Checker(engine=apertium, detectors=detectors),
                 progress=False)
    result = compare_runs(tmp_path / "hf", tmp_path / "apertium", samples=100)
    assert result.articles == 1 and result.pairs >= 2
    # Apertium is a real translation system, the tiny model learnt a handful of sentences
    assert _by_metric(result)["chrF2++"].verdict == "b"
