"""What a command loads before it does anything: heavy libraries only where their stage runs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "sacrebleu", "numpy", "mtcheck.detectors", "mtcheck.checker", "tqdm")
# What `mtcheck segment` has no use for on plain text, each a few milliseconds of its start
# (issue #23: segment within 1.5x `import mtcheck`): the markup parser, the pipeline's other
# types and the corpus readers, a hash library.
NOT_FOR_SEGMENT = ("html.parser", "mtcheck.markup", "mtcheck.types", "mtcheck.corpus", "hashlib", "click")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_importing_mtcheck_loads_none_of_the_pipeline():
    loaded = _modules_after("import mtcheck")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_the_segment_command_loads_neither_the_engines_nor_the_detectors(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Le président a parlé. Il est parti.", encoding="utf-8")
    loaded = _modules_after(
        "from mtcheck.cli import main\n"
        f"try:\n    main(['segment', {str(article)!r}])\nexcept SystemExit:\n    pass")
    assert not loaded & {*HEAVY, *NOT_FOR_SEGMENT}, loaded & {*HEAVY, *NOT_FOR_SEGMENT}


def test_the_public_names_still_resolve_on_first_use():
    import mtcheck

    assert mtcheck.Checker.__name__ == "Checker" and mtcheck.Severity.MAJOR.value == "major"
    assert set(mtcheck.__all__) <= set(dir(mtcheck))
    try:
        mtcheck.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_the_command_lines_list_of_detectors_is_the_registry():
    from mtcheck.detector_names import DETECTOR_NAMES
    from mtcheck.detectors import REGISTRY

    assert DETECTOR_NAMES == tuple(REGISTRY)


def test_the_command_lines_severities_are_the_pipelines():
    from mtcheck.cli import SEVERITY_NAMES
    from mtcheck.types import Severity

    assert SEVERITY_NAMES == tuple(s.value for s in Severity)


def test_the_unpacked_language_model_gives_py3langid_s_own_answers(tmp_path):
    """The memory-mapped copy must be the same model: same ranking, same probabilities."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from mtcheck.lang.identify import _unpacked

    model = MODEL_DIR / MODEL_FILE
    own = LanguageIdentifier.from_modelpath(model, norm_probs=True)
    ptc, pc, classes, nextmove, row, output = _unpacked(model, tmp_path)
    ours = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    again = _unpacked(model, tmp_path)  # from the files this time
    reread = LanguageIdentifier(again[0], again[1], again[2], again[3], again[5], norm_probs=True, tk_row=again[4])
    for text in ("Le président ukrainien a remercié les alliés pour les armes livrées la semaine dernière.",
                 "The Ukrainian president thanked the allies for the weapons delivered last week.",
                 "Presiden Ukraina berterima kasih kepada sekutu atas senjata yang dikirim pekan lalu."):
        assert own.rank(text)[:3] == ours.rank(text)[:3] == reread.rank(text)[:3]
    assert sorted(p.name for p in next(tmp_path.iterdir()).iterdir()) == sorted(
        f"{n}.npy" for n in ("ptc", "pc", "classes", "nextmove", "row", "output"))


def test_a_batch_summary_table_is_written_without_pandas():
    """pandas costs 0.2 s to import, for a summary that Arrow writes alone (pandas stays the
    way to read it)."""
    loaded = _modules_after(
        "import io, pyarrow.parquet\n"
        "from mtcheck.batch.report import SUMMARY_COLUMNS, summary_table\n"
        "row = {c: 1 for c in SUMMARY_COLUMNS} | {'article_id': 'a', 'language': 'fr', 'bleu': 1.5}\n"
        "pyarrow.parquet.write_table(summary_table([row]), io.BytesIO())\n"
        "pyarrow.parquet.write_table(summary_table([]), io.BytesIO())")
    assert "pandas" not in loaded
