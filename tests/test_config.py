from pathlib import Path

import pytest

from mtcheck.config import CheckConfig, load_config
from mtcheck.detectors import build_detectors
from mtcheck.errors import ConfigError
from mtcheck.types import Severity


def test_config_file_chooses_detectors_thresholds_and_lexicons(tmp_path: Path):
    (tmp_path / "house.yaml").write_text("entries: []\n", encoding="utf-8")
    path = tmp_path / "mtcheck.toml"
    path.write_text('detectors = ["reference-divergence", "confidence"]\nmin_severity = "major"\n'
                    'lexicons = ["house.yaml"]\n[detector.confidence]\nmin_probability = 0.05\n', encoding="utf-8")
    config = load_config(path)
    assert config.detectors == ("reference-divergence", "confidence")
    assert config.min_severity is Severity.MAJOR
    assert config.lexicons == ((tmp_path / "house.yaml").resolve(),)
    detectors = build_detectors(config.detectors, {n: config.options_for(n) for n in config.detectors})
    assert detectors[1].min_probability == 0.05


def test_command_line_overrides_the_file():
    config = CheckConfig(detectors=("lexicon",), min_severity=Severity.MAJOR)
    merged = config.override(detectors=("numbers",), min_severity="critical")
    assert merged.detectors == ("numbers",) and merged.min_severity is Severity.CRITICAL
    assert config.override().detectors == ("lexicon",)


@pytest.mark.parametrize("body, problem", [
    ("detectors = [", "invalid TOML"),
    ('colour = "red"', "unknown setting"),
    ('min_severity = "huge"', "min_severity must be"),
    ('[[drop]]\ndetector = "speling"', r"\[\[drop\]\] number 1: detector must name a detector"),
    ('[[drop]]\ndetector = "lexicon"\ncategory = "style"', r"\[\[drop\]\] number 1: category must be one of"),
    ('[[drop]]\ndetector = "lexicon"\nseverity = "fatal"', r"\[\[drop\]\] number 1: severity must be one of"),
    ('[[drop]]\ndetector = "lexicon"\ncolour = "red"', r"\[\[drop\]\] number 1: unknown key"),
    ('drop = "lexicon"', "drop must be"),
])
def test_bad_config_names_the_file_and_problem(tmp_path: Path, body, problem):
    path = tmp_path / "bad.toml"
    path.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"bad\.toml: {problem}"):
        load_config(path)


def test_unknown_detector_option_is_a_config_error():
    with pytest.raises(ConfigError, match="confidence"):
        build_detectors(["confidence"], {"confidence": {"min_probabilty": 0.1}})


@pytest.mark.parametrize("name", ["bare-infinitive", "causative-infinitive", "agreement", "spelling"])
def test_without_grammalecte_its_detectors_leave_the_default_set_and_naming_one_says_what_to_install(
        monkeypatch, name):
    import mtcheck.lang.grammalecte as grammalecte

    monkeypatch.setattr(grammalecte, "grammalecte_module", lambda: None)  # as on a machine without it
    from mtcheck.detectors import default_detectors

    assert name not in default_detectors() and "numbers" in default_detectors()
    with pytest.raises(ConfigError, match=f"the {name} detector needs Grammalecte.*apt-get install python3-grammalecte"):
        build_detectors([name])


def test_the_run_signature_carries_each_detectors_options():
    """Two runs with different thresholds never share a signature (as sacrebleu's carry every option)."""
    from mtcheck import Checker
    from mtcheck.config import CheckConfig
    from mtcheck.engines.stored import StoredEngine

    def signature(threshold: float) -> str:
        config = CheckConfig(detectors=("confidence", "lexicon"),
                             detector_options={"confidence": {"min_probability": threshold}})
        checker = Checker(engine=StoredEngine("stored", {}), reverse_engine=None, detectors=config.build_detectors())
        return str(checker.signature)

    low, high = signature(0.1), signature(0.3)
    assert low != high
    assert "confidence[" in low and "min_probability=0.1" in low and "min_probability=0.3" in high


def test_the_run_signature_names_the_software_outside_mtcheck_that_the_flags_read(monkeypatch):
    """Grammalecte and the en→fr engine change flags when upgraded: a stored result made with
    other versions must not pass for this run's."""
    import mtcheck.checker
    from mtcheck import Checker
    from mtcheck.engines.stored import StoredEngine

    def signature(detectors: tuple[str, ...], reverse=None) -> str:
        return str(Checker(engine=StoredEngine("stored", {}), reverse_engine=reverse, combiner=None,
                           detectors=CheckConfig(detectors=detectors).build_detectors()).signature)

    assert "|tools:" not in signature(("lexicon",))  # nothing outside mtcheck is read
    assert "|tools:en-fr=[stored-en-fr]|" in signature(("lexicon",), reverse=StoredEngine("stored-en-fr", {}))
    from mtcheck.lang.grammalecte import grammalecte_version

    if grammalecte_version() is None:
        pytest.skip("the grammar detector needs Grammalecte")
    assert f"|tools:grammalecte=[{grammalecte_version()}]|" in signature(("grammar",))
    monkeypatch.setattr(mtcheck.checker, "grammalecte_version", lambda: "99.0")  # as after an upgrade
    assert "|tools:grammalecte=[99.0]|" in signature(("grammar",))


def test_a_section_for_an_unknown_detector_is_an_error(tmp_path: Path):
    path = tmp_path / "run.toml"
    path.write_text('[detector.nonexistent]\nthreshold = 0.5\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="nonexistent"):
        load_config(path).build_detectors()


def test_drop_rules_are_read_and_match_a_flags_detector_category_and_severity(tmp_path: Path):
    from mtcheck.types import Category, Flag

    path = tmp_path / "drop.toml"
    path.write_text('[[drop]]\ndetector = "lexicon"\ncategory = "terminology"\n'
                    '[[drop]]\ndetector = "model"\nseverity = "minor"\nreason = "precision 0.2 (1/5)"\n', encoding="utf-8")
    rules = load_config(path).drop
    assert [str(r) for r in rules] == ["lexicon/terminology/*", "model/*/minor"]

    def flag(detector, category, severity):
        return Flag(0, 1, "x", Category(category), Severity(severity), "", detector)

    assert rules[0].matches(flag("lexicon", "terminology", "major"))
    assert not rules[0].matches(flag("lexicon", "mistranslation", "major"))
    assert rules[1].matches(flag("model", "fluency", "minor"))
    assert not rules[1].matches(flag("model", "fluency", "major"))
    assert not any(r.matches(flag("spelling", "terminology", "minor")) for r in rules)
