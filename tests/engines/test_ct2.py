import pytest

from tests.fixture_models import training_examples
from mtcheck.engines.hf import HFEngine

ct2 = pytest.importorskip("ctranslate2")
from mtcheck.engines.ct2 import CT2Engine  # noqa: E402


@pytest.fixture(scope="module")
def ct2_float(tiny_model, tmp_path_factory):
    return CT2Engine(model=str(tiny_model), beam_size=1, compute_type="float32",
                     cache_dir=tmp_path_factory.mktemp("ct2-cache"))


def test_same_greedy_output_as_hf(ct2_float, tiny_model):
    hf = HFEngine(model=str(tiny_model), beam_size=1, local_files_only=True)
    french = [fr for fr, _, _ in training_examples()]
    assert [t.text for t in ct2_float.translate(french)] == [t.text for t in hf.translate(french)]


def test_conversion_is_cached_and_reused(tiny_model, tmp_path):
    first = CT2Engine(model=str(tiny_model), beam_size=1, compute_type="float32", cache_dir=tmp_path)
    converted = list((tmp_path / "ct2").iterdir())
    assert len(converted) == 1 and (converted[0] / "model.bin").exists()
    mtime = (converted[0] / "model.bin").stat().st_mtime_ns
    second = CT2Engine(model=str(tiny_model), beam_size=2, compute_type="float32", cache_dir=tmp_path)
    assert list((tmp_path / "ct2").iterdir()) == converted
    assert (converted[0] / "model.bin").stat().st_mtime_ns == mtime  # not converted again
    assert first.signature != second.signature  # so is the beam
    third = CT2Engine(model=str(tiny_model), beam_size=1, compute_type="int8", cache_dir=tmp_path)
    assert first.signature != third.signature  # compute type is part of the signature


def test_int8_weights_are_stored_quantised_and_translate_as_if_quantised_at_load(tiny_model, tmp_path, monkeypatch):
    """An int8 engine loads weights converted to int8 once (a quarter of the disk, a faster load
    in every process), with the translations, word links and log-probabilities of the same
    model quantised at load: what translations cached under the same signature hold."""
    import mtcheck.engines.ct2 as ct2_engine

    kwargs = {"model": str(tiny_model), "beam_size": 2, "device": "cpu", "compute_type": "int8", "cache_dir": tmp_path}
    stored = CT2Engine(**kwargs)
    monkeypatch.setattr(ct2_engine, "stored_quantization", lambda device, compute_type, supported: None)
    at_load = CT2Engine(**kwargs)
    assert stored._converted != at_load._converted
    assert (stored._converted / "model.bin").stat().st_size < 0.4 * (at_load._converted / "model.bin").stat().st_size
    assert stored.signature == at_load.signature
    french = [fr for fr, _, _ in training_examples()]
    assert stored.translate(french) == at_load.translate(french)


def test_alignment_maps_english_words_to_their_french_words(ct2_float):
    checked = correct = 0
    for french, english, gold in training_examples():
        (out,) = ct2_float.translate([french])
        assert out.text == english
        fr_words = french.split()
        en_words = [out.text[l.target_start : l.target_end] for l in out.links]
        assert en_words == english.split()
        for link, gold_index in zip(out.links, gold):
            checked += 1
            correct += french[link.source_start : link.source_end] == fr_words[gold_index]
    assert correct / checked >= 0.95


@pytest.mark.parametrize("threads, batch_tokens", [(2, 4096), (3, 16)], ids=["two workers", "three workers, small batches"])
def test_the_same_translations_whatever_the_workers_and_the_batches(tiny_model, tmp_path, threads, batch_tokens):
    """On CPU the engine decodes its batches side by side on one-thread workers, cut so that
    each has one: the translations (text, word links, log-probabilities) are those of one
    thread decoding one batch after another."""
    french = [fr for fr, _, _ in training_examples()]
    kwargs = {"model": str(tiny_model), "beam_size": 2, "device": "cpu", "compute_type": "int8", "cache_dir": tmp_path}
    one_thread = CT2Engine(threads=1, **kwargs)
    alone = [one_thread.translate([sentence])[0] for sentence in french]
    workers = CT2Engine(threads=threads, batch_tokens=batch_tokens, **kwargs)
    assert workers._translator.num_translators == threads
    assert workers.translate(french * 3) == alone * 3


def test_token_log_probabilities(ct2_float):
    (out,) = ct2_float.translate([training_examples()[3][0]])
    assert len(out.token_scores) == len(out.text.split())
    assert all(s.logprob <= 0 for s in out.token_scores)


def test_sentences_longer_than_the_model_accepts_are_truncated_not_fatal(ct2_float):
    long = " ".join(["le chat dort"] * 400)  # far past 512 source tokens
    (translation,) = ct2_float.translate([long])
    assert translation.text.strip()


def test_without_token_scores_the_translation_is_the_same_and_cached_apart(ct2_float, tiny_model, tmp_path):
    plain = CT2Engine(model=str(tiny_model), beam_size=1, compute_type="float32", cache_dir=tmp_path,
                      token_scores=False)
    french = [fr for fr, _, _ in training_examples()]
    scored, unscored = ct2_float.translate(french), plain.translate(french)
    assert [t.text for t in unscored] == [t.text for t in scored]
    assert [t.links for t in unscored] == [t.links for t in scored]
    assert all(t.token_scores for t in scored) and not any(t.token_scores for t in unscored)
    assert plain.signature != ct2_float.signature


@pytest.mark.parametrize("detectors, second_pass", [(["untranslated", "numbers"], False),
                                                    (["untranslated", "confidence"], True)])
def test_the_scoring_pass_runs_only_for_a_detector_that_reads_it(tiny_model, tmp_path, monkeypatch, detectors,
                                                                 second_pass):
    from mtcheck.checker import Checker

    monkeypatch.setenv("MTCHECK_CACHE", str(tmp_path))
    checker = Checker.from_config(engine="ct2", model=str(tiny_model), beam_size=1, cache=False, detectors=detectors)
    report = checker.check("Le président a parlé. Le pays a gagné.", [], article_id="a")
    assert ("scores:off" not in checker.engine.signature) == second_pass
    assert all(bool(b.token_scores) == second_pass for b in report.back_translations)


def test_cache_stats_lists_each_converted_model_and_the_bytes_it_takes(tiny_model, tmp_path, monkeypatch):
    """Conversions stay until deleted (one per compute type's stored weights): `cache stats`
    shows what each takes, and not a conversion still being written."""
    import json

    from tests.cli_runner import run_cli

    monkeypatch.setenv("MTCHECK_CACHE", str(tmp_path))
    float32 = CT2Engine(model=str(tiny_model), beam_size=1, compute_type="float32")
    int8 = CT2Engine(model=str(tiny_model), beam_size=1, compute_type="int8")
    (tmp_path / "ct2" / ".converting-abc").mkdir()
    stats = json.loads(run_cli(["cache", "stats"]).stdout)["ct2_conversions"]
    assert stats["path"] == str(tmp_path / "ct2")
    on_disk = {folder.name: sum(f.stat().st_size for f in folder.iterdir()) for folder in (float32._converted, int8._converted)}
    assert stats["bytes"] == on_disk
    assert on_disk[int8._converted.name] < on_disk[float32._converted.name] / 2


def test_weights_are_stored_int8_only_where_the_device_computes_in_int8():
    """Elsewhere the device computes in another type, which from int8 weights would not be
    the source model's; float16 and bfloat16 keep the source's weights, and so does a GPU."""
    from mtcheck.engines.ct2 import stored_quantization

    cpu = {"float32", "int8", "int8_float32"}
    assert stored_quantization("cpu", "int8", cpu) == "int8"
    assert stored_quantization("cpu", "int8_float32", cpu) == "int8"
    assert stored_quantization("cpu", "int8", {"float32"}) is None
    assert stored_quantization("cpu", "float32", cpu) is None
    gpu = {"float32", "float16", "int8", "int8_float32", "int8_float16"}
    for compute_type in ("int8", "float16", "int8_float16"):
        assert stored_quantization("cuda", compute_type, gpu) is None


@pytest.mark.skipif(ct2.get_cuda_device_count() > 0, reason="this machine has a GPU that CTranslate2 can use")
def test_asking_for_cuda_without_a_usable_gpu_is_an_engine_error(tiny_model, tmp_path):
    from mtcheck.errors import EngineError

    with pytest.raises(EngineError, match="cannot load converted model"):
        CT2Engine(model=str(tiny_model), device="cuda", cache_dir=tmp_path)
