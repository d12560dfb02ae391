"""Run settings from a TOML file: detectors, their thresholds, severity floor, lexicons.

    # mtcheck.toml
    detectors = ["reference-divergence", "lexicon", "numbers"]
    min_severity = "minor"
    lexicons = ["house-style.yaml"]        # relative to this file

    [detector.reference-divergence]
    min_similarity = 35

    [detector.confidence]
    min_probability = 0.1

    [decoding]                             # the hf and ct2 engines
    beam_size = 4
    max_length = 256                       # output tokens per sentence
    batch_tokens = 1024                    # source tokens per batch
    threads = 2                            # CPU threads (0: the engine's default)
    device = "cpu"                         # cpu, cuda or auto

    [[drop]]                               # flags not to raise (what `mtcheck calibrate` writes)
    detector = "spelling"                  # the flag's detector ("model": the model's own flags)
    category = "fluency"                   # optional: only flags of this category
    severity = "minor"                     # optional: only flags of this severity

Command-line options override the file. TOML because Python reads it without a
dependency (``tomllib``) and it is what ``pyproject.toml`` users already write.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .types import Severity

_KEYS = {"detectors", "min_severity", "lexicons", "detector", "flag_model", "decoding", "drop"}
_DROP_KEYS = {"detector", "category", "severity", "reason"}
# [decoding] settings (EngineSpec's field names) and the type each must have.
DECODING_KEYS = {"beam_size": int, "max_length": int, "batch_tokens": int, "threads": int, "device": str}


@dataclass(frozen=True)
class DropRule:
    """Flags a run does not raise: those of ``detector`` (of one category or severity when given).

    Finer than leaving a detector out: a detector right about grammar but wrong about
    fluency on an outlet's articles keeps its grammar flags (see ``mtcheck calibrate``).
    """

    detector: str
    category: str | None = None
    severity: str | None = None

    def matches(self, flag: Any) -> bool:
        return (flag.detector == self.detector
                and (self.category is None or flag.category == self.category)
                and (self.severity is None or flag.severity == self.severity))

    def __str__(self) -> str:
        return "/".join((self.detector, self.category or "*", self.severity or "*"))


@dataclass(frozen=True)
class CheckConfig:
    detectors: tuple[str, ...] | None = None
    min_severity: Severity = Severity.MINOR
    lexicons: tuple[Path, ...] = ()
    detector_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # "bundled": the detection model shipped in the package decides the flags; "none": the
    # detectors' flags as they are; otherwise a model file (scripts/train_combiner.py).
    flag_model: str = "bundled"
    # How the neural engines decode (DECODING_KEYS); what is not set keeps the engine's default.
    decoding: Mapping[str, Any] = field(default_factory=dict)
    drop: tuple[DropRule, ...] = ()

    def override(self, *, detectors: tuple[str, ...] | None = None, min_severity: str | None = None,
                 lexicons: tuple[Path, ...] = (), flag_model: str | None = None,
                 decoding: Mapping[str, Any] | None = None) -> CheckConfig:
        """This config with the command line's choices applied on top (None: not given)."""
        return CheckConfig(
            decoding={**self.decoding, **{k: v for k, v in (decoding or {}).items() if v is not None}},
            detectors=detectors or self.detectors,
            min_severity=Severity(min_severity) if min_severity else self.min_severity,
            lexicons=self.lexicons + tuple(lexicons),
            detector_options=self.detector_options,
            flag_model=flag_model or self.flag_model,
            drop=self.drop,
        )

    def build_combiner(self) -> Any:
        """The :class:`~mtcheck.qe.combiner.Combiner` this config asks for, or None.

        The bundled model needs Grammalecte's word classes; without them the detectors'
        flags are reported as they are (and the run signature says ``flag_model:none``).
        """
        from .lang.grammalecte import french_word_classes
        from .qe.combiner import Combiner
        from .qe.model import DetectionModel

        if self.flag_model == "none":
            return None
        if self.flag_model == "bundled":
            return Combiner.bundled()
        classes = french_word_classes()
        if classes is None:
            raise ConfigError(f"flag model {self.flag_model}: needs Grammalecte "
                              "(Debian: apt-get install python3-grammalecte)")
        return Combiner(DetectionModel.load(self.flag_model), classes)

    def build_detectors(self) -> list:
        """The detectors this config names (the default set when none), each with its options."""
        from .detectors import build_detectors, default_detectors

        names = self.detectors or default_detectors()
        # Every [detector.X] section goes through, so that build_detectors refuses one for no
        # detector at all; sections of detectors not in this run are read and left unused.
        sections = {n: self.options_for(n) for n in {*names, *self.detector_options} if self.options_for(n)}
        return build_detectors(names, sections)

    def options_for(self, detector: str) -> dict[str, Any]:
        options = dict(self.detector_options.get(detector, {}))
        if detector == "lexicon" and self.lexicons:
            options["paths"] = list(self.lexicons) + list(options.get("paths", []))
        return options


def _check_sections(path: Path, sections: Mapping[str, Mapping[str, Any]]) -> None:
    """Each [detector.X] section's settings against the detector's own, naming the file and line."""
    from .detectors import REGISTRY, option_problem

    for name, settings in sections.items():
        if name not in REGISTRY:
            raise ConfigError(f"{path}:{_line_of(path, name)}: [detector.{name}] names no detector; "
                              f"available: {', '.join(REGISTRY)}")
        if problem := option_problem(name, settings):
            key, message = problem
            raise ConfigError(f"{path}:{_line_of(path, name, key)}: {message}")


def _line_of(path: Path, section: str, key: str | None = None) -> int:
    """The line of ``[detector.section]`` (or of ``key =`` in it) in the file; 1 when not found."""
    header = re.compile(rf"^\s*\[\s*detector\.(\"?){re.escape(section)}\1\s*\]")
    setting = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=") if key else None
    found = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not found:
            if header.match(line):
                found = number
                if setting is None:
                    return number
        elif line.lstrip().startswith("["):
            break
        elif setting is not None and setting.match(line):
            return number
    return found or 1


def _drop_rules(path: Path, entries: Any) -> tuple[DropRule, ...]:
    from .detector_names import DETECTOR_NAMES
    from .types import Category

    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: drop must be [[drop]] tables, each with a detector")
    rules = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: [[drop]] number {number}"
        if unknown := set(entry) - _DROP_KEYS:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_DROP_KEYS))}")
        detector = entry.get("detector")
        if detector not in (*DETECTOR_NAMES, "model"):
            raise ConfigError(f"{where}: detector must name a detector (or \"model\"), not {detector!r}")
        category, severity = entry.get("category"), entry.get("severity")
        if category is not None and category not in {c.value for c in Category}:
            raise ConfigError(f"{where}: category must be one of {', '.join(c.value for c in Category)}")
        if severity is not None and severity not in {s.value for s in Severity}:
            raise ConfigError(f"{where}: severity must be one of {', '.join(s.value for s in Severity)}")
        rules.append(DropRule(detector, category, severity))
    return tuple(rules)


def load_config(path: str | Path) -> CheckConfig:
    """Read a TOML config; every problem names the file (and the line, where TOML says it)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    try:
        severity = Severity(data.get("min_severity", "minor"))
    except ValueError:
        raise ConfigError(f"{path}: min_severity must be one of {', '.join(s.value for s in Severity)}") from None
    detectors = data.get("detectors")
    if detectors is not None and not (isinstance(detectors, list) and all(isinstance(d, str) for d in detectors)):
        raise ConfigError(f"{path}: detectors must be a list of detector names")
    options = data.get("detector", {})
    if not isinstance(options, dict) or not all(isinstance(v, dict) for v in options.values()):
        raise ConfigError(f"{path}: [detector.NAME] sections must hold settings")
    _check_sections(path, options)
    flag_model = data.get("flag_model", "bundled")
    if not isinstance(flag_model, str):
        raise ConfigError(f"{path}: flag_model must be \"bundled\", \"none\" or a model file")
    if flag_model not in ("bundled", "none"):
        flag_model = str((path.parent / flag_model).resolve())
    decoding = data.get("decoding", {})
    if not isinstance(decoding, dict):
        raise ConfigError(f"{path}: [decoding] must be a section of settings")
    for key, value in decoding.items():
        kind = DECODING_KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{path}: [decoding] has no setting {key!r}; known: {', '.join(DECODING_KEYS)}")
        if not isinstance(value, kind) or isinstance(value, bool) or (kind is int and value < (0 if key == "threads" else 1)):
            want = "a positive whole number" if kind is int else "a string"
            raise ConfigError(f"{path}: [decoding] {key} must be {want}, not {value!r}")
    return CheckConfig(
        drop=_drop_rules(path, data.get("drop", [])),
        decoding=decoding,
        flag_model=flag_model,
        detectors=tuple(detectors) if detectors is not None else None,
        min_severity=severity,
        lexicons=tuple((path.parent / p).resolve() for p in data.get("lexicons", [])),
        detector_options=options,
    )
