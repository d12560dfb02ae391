"""What a command loads before it does anything: heavy libraries only where their stage runs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "sacrebleu", "numpy", "mtcheck.detectors", "mtcheck.checker", "tqdm")


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
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


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
