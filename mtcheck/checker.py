"""The pipeline: segment → back-translate → align → score → flag → report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sacrebleu

from .align import ReferenceAligner
from .detectors import DetectionContext, Detector, Need, build_detectors
from .detectors.merge import merge_flags
from .engines import Engine, EngineSpec, load_engine
from .engines.apertium import reverse_engine
from .engines.cache import CachedEngine, RecentTranslations, TranslationCache, open_cache
from .config import CheckConfig, DropRule, load_config
from .corpus import read_article
from .errors import InputError
from .lang.grammalecte import grammalecte_version
from .lang.invisible import VisibleText
from .neural import neural_scores, require_neural
from .progress import Progress, ProgressMode
from .qe.combiner import Combiner
from .report import ArticleReport, RunSignature
from .resources import sample_folder
from .score import Scorer
from .segment import FrenchSegmenter, guess_format
from .version import __version__
from .types import (Alignment, BackTranslation, Flag, Reference, Rendering, Segment, Severity, Translation,
                    WordLink)

# Sentences handed to the engine at once: large enough for length-sorted batching to
# pay off, small enough for the progress bar to move.
_PROGRESS_CHUNK = 256


@dataclass
class Checker:
    """Checks French articles against their English references.

    Build it once (loading the engine is the slow part) and call :meth:`check` per article.
    ``engine`` is a loaded :class:`~mtcheck.engines.Engine` or an :class:`EngineSpec`.
    """

    engine: Engine | EngineSpec = field(default_factory=EngineSpec)
    detectors: Sequence[str] | Sequence[Detector] | None = None
    min_severity: Severity = Severity.MINOR
    segmenter: FrenchSegmenter = field(default_factory=FrenchSegmenter)
    aligner: ReferenceAligner = field(default_factory=ReferenceAligner)
    scorer: Scorer = field(default_factory=Scorer)
    # A bar per long stage (True or "bar"), one line per stage ("lines", for logs), or none.
    progress: Progress | ProgressMode | str | bool = False
    neural_metric: str | None = None
    neural_model: str | None = None
    # en→fr engine for checks in French (reference support, round trips); "auto" is Apertium when installed.
    reverse_engine: Engine | str | None = "auto"
    # Where detectors keep results of slow analyses (the translation cache's file); None: not kept.
    cache: TranslationCache | None = None
    # How the engine was chosen ("engine: hf (...); not chosen: ..."), for a front end to show.
    engine_message: str = field(default="", compare=False)
    # The detection model that decides the flags from every detector's evidence ("auto": the
    # bundled one where Grammalecte is installed; None: the detectors' flags as they are).
    combiner: Combiner | str | None = "auto"
    # The decoding settings the run signature records (see RunSignature.decoding).
    decoding: str = ""
    # Flags not to raise, by detector (and category, severity): what a reviewer's decisions
    # showed to be wrong on these articles (``mtcheck calibrate``).
    drop: Sequence[DropRule] = ()

    def __post_init__(self) -> None:
        self.progress = Progress.of(self.progress)
        if self.neural_metric:
            require_neural(self.neural_metric)
        if isinstance(self.engine, EngineSpec):
            self.engine = load_engine(self.engine).engine
        if self.reverse_engine == "auto":
            self.reverse_engine = reverse_engine()
        if self.combiner == "auto":
            self.combiner = Combiner.bundled()
        if not self.detectors or isinstance(next(iter(self.detectors)), str):
            self.detectors = build_detectors(self.detectors or None)  # type: ignore[arg-type]
        for detector in self.detectors:  # type: ignore[union-attr]
            # Detectors that keep slow analyses use the Checker's cache unless given their own.
            if self.cache is not None and detector.uses(Need.CACHE) and detector.cache is None:  # type: ignore[union-attr]
                detector.cache = self.cache  # type: ignore[union-attr]

    @classmethod
    def from_config(cls, config: CheckConfig | str | Path | None = None, *, engine: str = "auto",
                    model: str | None = None, beam_size: int | None = None, device: str | None = None,
                    max_length: int | None = None, batch_tokens: int | None = None, threads: int | None = None,
                    detectors: Sequence[str] | None = None, lexicons: Sequence[str | Path] = (),
                    min_severity: str | None = None, cache: str | Path | bool = True,
                    input_format: str = "text", neural_metric: str | None = None,
                    neural_model: str | None = None, flag_model: str | None = None,
                    progress: Progress | ProgressMode | str | bool = False) -> Checker:
        """The checker the ``mtcheck`` command builds from the same options.

        ``config`` is a TOML file or a :class:`CheckConfig`; ``detectors``, ``lexicons``,
        ``min_severity`` and ``flag_model`` ("bundled", "none" or a model file) apply on top of
        it. ``cache``: True for the default translation cache (``$MTCHECK_CACHE`` or
        ~/.cache/mtcheck), a path for another file, False for none; the cache also keeps the
        en→fr engine's translations and the detectors' slow analyses.
        """
        if not isinstance(config, CheckConfig):
            config = load_config(config) if config else CheckConfig()
        config = config.override(detectors=tuple(detectors) if detectors else None, min_severity=min_severity,
                                 lexicons=tuple(Path(p) for p in lexicons), flag_model=flag_model,
                                 decoding=dict(beam_size=beam_size, device=device, max_length=max_length,
                                               batch_tokens=batch_tokens, threads=threads))
        # Detectors first: a wrong setting is refused before a model takes seconds to load.
        detector_list = config.build_detectors()
        combiner = config.build_combiner()
        # [decoding] settings are named as EngineSpec's fields; what is unset keeps its default.
        # Lazily: a run that every cached sentence (or stored result) serves never loads the model.
        spec = EngineSpec(name=engine, model=model, **config.decoding)
        if engine == "ct2" and not any(d.uses(Need.TOKEN_SCORES) for d in detector_list):
            spec = replace(spec, options={**spec.options, "token_scores": False})  # no second pass
        choice = load_engine(spec, lazy=True)
        store = None if cache is False else open_cache(None if cache is True else Path(cache))
        forward = CachedEngine(choice.engine, store or RecentTranslations())
        return cls(engine=forward, reverse_engine=reverse_engine(store), detectors=detector_list,
                   min_severity=config.min_severity, cache=store, progress=progress,
                   segmenter=FrenchSegmenter(input_format), neural_metric=neural_metric,
                   neural_model=neural_model, engine_message=choice.message, combiner=combiner,
                   decoding=_decoding_record(choice.engine.name, spec), drop=config.drop)

    @property
    def signature(self) -> RunSignature:
        return RunSignature(
            mtcheck=__version__,
            segmenter=self.segmenter.signature,
            engine=self.engine.signature,  # type: ignore[union-attr]
            detectors=tuple(d.name for d in self.detectors),  # type: ignore[union-attr]
            detector_options={d.name: dict(d.options()) for d in self.detectors},  # type: ignore[union-attr]
            min_severity=Severity(self.min_severity).value,
            aligner=f"chrF|threshold:{self.aligner.threshold}|weak:{self.aligner.weak_threshold}",
            sacrebleu=sacrebleu.__version__,
            metrics=self.scorer.signatures(),
            flag_model=self.combiner.signature if isinstance(self.combiner, Combiner) else "none",
            decoding=self.decoding,
            drop=tuple(str(rule) for rule in self.drop),
            tools=self._tools(),
        )

    def _tools(self) -> dict[str, str]:
        tools = {}
        detectors = list(self.detectors)  # type: ignore[arg-type]
        # The detection model reads Grammalecte's word classes, as the detectors that need it do.
        if isinstance(self.combiner, Combiner) or any(d.uses(Need.GRAMMALECTE) for d in detectors):
            tools["grammalecte"] = grammalecte_version() or "none"
        if self.reverse_engine is not None:
            tools["en-fr"] = self.reverse_engine.signature  # type: ignore[union-attr]
        return tools

    def check(self, text: str, references: Sequence[Reference] = (), article_id: str = "article") -> ArticleReport:
        """Check one article; ``text`` is the French article exactly as read from its file.

        Invisible format characters (soft hyphens, word joiners) are removed before any stage
        reads the text and every offset is mapped back, so flags index ``text`` as given.
        """
        visible = VisibleText.of(text)
        if not visible.text.strip():  # nothing but spaces and invisible characters
            raise InputError(article_id, "the article is empty", line=1)
        report = self._check_visible(visible.text, references, article_id)
        return report if visible.unchanged else _restore_offsets(report, visible, self.segmenter.input_format)

    def _check_visible(self, text: str, references: Sequence[Reference], article_id: str) -> ArticleReport:
        segments = self.segmenter.segment(text)
        back_translations = self.back_translate(segments)
        alignments = self.aligner.align(back_translations, references)
        pairs = self.scorer.pair_scores(alignments)
        context = DetectionContext(text, segments, back_translations, references, alignments,
                                   self._reference_translations(alignments), self._round_trips(back_translations))
        flags, model_mqm = self._detect(context)
        mqm_source = "detector"
        if isinstance(self.combiner, Combiner):
            flags, model_mqm = self.combiner.combine(context, flags)
            mqm_source = "model"
        flags = [f for f in merge_flags(flags, text) if f.severity.rank >= Severity(self.min_severity).rank
                 and not any(rule.matches(f) for rule in self.drop)]
        return ArticleReport(
            article_id=article_id,
            text=text,
            segments=tuple(segments),
            back_translations=tuple(back_translations),
            alignments=tuple(alignments),
            pairs=tuple(pairs),
            scores=self.scorer.corpus_scores(pairs),
            flags=tuple(flags),
            signature=self.signature,
            model_mqm=model_mqm,
            model_mqm_source=mqm_source,
            neural=tuple(neural_scores(self.neural_metric, alignments, text, self.neural_model))
            if self.neural_metric else (),
            warnings=tuple(self.segmenter.window_warnings(segments)),
        )

    def _detect(self, context: DetectionContext) -> tuple[list[Flag], float | None]:
        """Every detector's flags, and the first document estimate a detector gives (``assess``)."""
        flags: list[Flag] = []
        first_estimate: float | None = None
        detectors = list(self.detectors)  # type: ignore[arg-type]
        with self.progress.stage("running detectors", len(detectors), "detector") as advance:  # type: ignore[union-attr]
            for detector in detectors:
                found, estimate = detector.assess(context)
                flags += found
                if first_estimate is None:
                    first_estimate = estimate
                advance(1)
        return flags, first_estimate

    def _reference_translations(self, alignments: Sequence[Alignment]) -> dict[str, Translation]:
        found = [a.reference for a in alignments if a.found]
        if self.reverse_engine is None or not found:
            return {}
        translations = self._translate_to_french([r.text for r in found], "translating references into French",
                                                 "reference")
        return {r.id: t for r, t in zip(found, translations)}

    def _round_trips(self, back_translations: Sequence[BackTranslation]) -> dict[int, Translation]:
        wanted = any(d.uses(Need.ROUND_TRIP) for d in self.detectors)  # type: ignore[union-attr]
        if not wanted or self.reverse_engine is None or not back_translations:
            return {}
        translations = self._translate_to_french([bt.text for bt in back_translations],
                                                 "translating back-translations into French", "sentence")
        return {bt.segment.index: t for bt, t in zip(back_translations, translations)}

    def _translate_to_french(self, texts: list[str], description: str, unit: str) -> list[Translation]:
        return self._translate(self.reverse_engine, texts, description, unit)  # type: ignore[arg-type]

    def _translate(self, engine: Engine, texts: list[str], description: str, unit: str) -> list[Translation]:
        """``engine``'s translations of ``texts``, in chunks so that the stage's progress moves."""
        translations: list[Translation] = []
        with self.progress.stage(description, len(texts), unit) as advance:  # type: ignore[union-attr]
            for start in range(0, len(texts), _PROGRESS_CHUNK):
                chunk = texts[start : start + _PROGRESS_CHUNK]
                translations += engine.translate(chunk)
                advance(len(chunk))
        return translations

    def prefetch(self, texts: Sequence[str]) -> int:
        """Back-translate the sentences of several articles in one engine call, into the cache.

        An engine is fastest on many sentences at once (length-sorted batches under a token
        budget, one call's overhead); checking article by article gives it a few dozen at a
        time. The later :meth:`check` of each article then finds its sentences in the engine's
        cache (a file, or :class:`RecentTranslations` in memory when the run keeps none): same
        translations, fewer and fuller engine calls. An engine without a cache is left alone:
        there is nowhere to keep them. Returns the sentences sent.
        """
        if not isinstance(self.engine, CachedEngine):
            return 0
        sentences = sorted({s.text for text in texts for s in self.segmenter.segment(VisibleText.of(text).text)})
        if sentences:
            self.engine.translate(sentences)
        return len(sentences)

    def back_translate(self, segments: Sequence[Segment]) -> list[BackTranslation]:
        """Back-translate segments; word links are shifted from segment to article offsets."""
        translations = self._translate(self.engine, [s.text for s in segments],  # type: ignore[arg-type]
                                       "back-translating", "sentence")
        return [
            BackTranslation(
                segment=seg,
                text=tr.text,
                engine=tr.engine,
                token_scores=tr.token_scores,
                links=tuple(
                    WordLink(l.target_start, l.target_end, l.source_start + seg.start, l.source_end + seg.start)
                    for l in tr.links
                ),
            )
            for seg, tr in zip(segments, translations)
        ]


def _restore_offsets(report: ArticleReport, visible: VisibleText, input_format: str) -> ArticleReport:
    """``report`` of ``visible.text`` with every span mapped back to ``visible.original``."""
    original = visible.original

    def segment(seg: Segment) -> Segment:
        start, end = visible.span(seg.start, seg.end)
        # Plain text segments are the article's own characters; HTML/Markdown ones its visible text.
        return replace(seg, start=start, end=end, text=original[start:end] if input_format == "text" else seg.text)

    def link(l: WordLink) -> WordLink:
        source_start, source_end = visible.span(l.source_start, l.source_end)
        return replace(l, source_start=source_start, source_end=source_end)

    def rendering(r: Rendering) -> Rendering:
        start, end = visible.span(r.start, r.end)
        return replace(r, start=start, end=end)

    def flag(f: Flag) -> Flag:
        start, end = visible.span(f.start, f.end)
        return replace(f, start=start, end=end, text=original[start:end])

    segments = tuple(segment(s) for s in report.segments)  # back-translations hold the same, by index
    return replace(
        report,
        text=original,
        segments=segments,
        back_translations=tuple(replace(bt, segment=segments[bt.segment.index], links=tuple(link(l) for l in bt.links))
                                for bt in report.back_translations),
        alignments=tuple(replace(a, renderings=tuple(rendering(r) for r in a.renderings)) for a in report.alignments),
        flags=tuple(flag(f) for f in report.flags),
    )


def check(article: str | Path | None = None, references: str | Path | None = None, *,
          config: CheckConfig | str | Path | None = None, input_format: str = "auto",
          **options: Any) -> ArticleReport:
    """Check an article file or folder (the bundled sample when none) as ``mtcheck check`` does.

    ``options`` are :meth:`Checker.from_config`'s (engine, model, detectors, cache, …).
    """
    source = read_article(article if article is not None else sample_folder(), references=references)
    if input_format == "auto":
        input_format = guess_format(str(source.path or ""))
    checker = Checker.from_config(config, input_format=input_format, **options)
    return checker.check(source.text, source.references, article_id=source.id)


def check_article(
    text: str,
    references: Sequence[Reference] = (),
    *,
    engine: Engine | EngineSpec | None = None,
    detectors: Sequence[str] | None = None,
    article_id: str = "article",
) -> ArticleReport:
    """Check one French article against its English references and return the report."""
    checker = Checker(engine=engine or EngineSpec(), detectors=detectors)
    return checker.check(text, references, article_id=article_id)


def _decoding_record(engine_name: str, spec: EngineSpec) -> str:
    """What the run signature says of a neural engine's decoding beyond its own signature: the
    settings asked for ("auto": the engine's choice on the machine), known before any load."""
    if engine_name not in ("hf", "ct2"):
        return ""
    parts = {"batch_tokens": spec.batch_tokens or "auto", "threads": spec.threads or "auto", "device": spec.device}
    return ",".join(f"{k}={v}" for k, v in parts.items())
