import json

import pytest
from click.testing import CliRunner

from mtcheck.cli import main
from mtcheck.compare import compare_runs, paired_bootstrap
from mtcheck.errors import InputError

REFS = [f"The minister said on day {i} that the missiles will speak for themselves." for i in range(30)]
GOOD = [f"The minister said on day {i} that the missiles will speak for themselves." for i in range(30)]
POOR = [f"Minister has told in day {i} what rockets speak by them." for i in range(30)]


def _report(path, hyps, article="a1"):
    pairs = [{"reference_id": f"r{i}", "segment_indices": [i], "hypothesis": h, "reference": r,
              "scores": {"bleu": 0, "chrf": 0, "ter": 0}} for i, (h, r) in enumerate(zip(hyps, REFS))]
    path.write_text(json.dumps({"article": {"id": article}, "pairs": pairs}), encoding="utf-8")
    return path


def test_a_clearly_better_run_is_significant(tmp_path):
    result = compare_runs(_report(tmp_path / "a.json", POOR), _report(tmp_path / "b.json", GOOD), samples=200)
    by_metric = {m.metric.split("2")[0].rstrip("+"): m for m in result.metrics}
    assert result.pairs == 30
    assert by_metric["BLEU"].significant and by_metric["BLEU"].b_is_better
    assert by_metric["TER"].significant and by_metric["TER"].b_is_better  # lower TER is better


def test_identical_runs_are_not_significantly_different():
    result = paired_bootstrap(GOOD[:10] + POOR[10:], GOOD[:10] + POOR[10:], REFS, samples=200)
    assert not any(m.significant for m in result.metrics)


def test_scores_equal_sacrebleu_corpus_scores():
    from sacrebleu.metrics import BLEU

    result = paired_bootstrap(POOR, GOOD, REFS, samples=100)
    assert result.metrics[0].score_a == pytest.approx(BLEU().corpus_score(POOR, [REFS]).score)


def test_cli_compare_and_errors(tmp_path):
    a, b = _report(tmp_path / "a.json", POOR), _report(tmp_path / "b.json", GOOD)
    out = CliRunner().invoke(main, ["compare", str(a), str(b), "--samples", "100", "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["pairs"] == 30
    other = _report(tmp_path / "c.json", GOOD, article="another")
    with pytest.raises(InputError, match="shares 0 aligned pairs"):
        compare_runs(a, other)
    bad = CliRunner().invoke(main, ["compare", str(a), str(tmp_path / "nope.json")])
    assert bad.exit_code == 2 and "nope.json" in bad.stderr
