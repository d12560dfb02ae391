"""The Ray backend gives exactly the local backend's results (a local Ray instance, 2 CPUs)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason='Ray is an optional extra: pip install "mtcheck[ray]"')

from mtcheck.batch.run import run_batch  # noqa: E402
from mtcheck.batch.sources import iter_articles  # noqa: E402

from .test_batch import make_corpus  # noqa: E402


def _make_checker(model: str):
    from mtcheck import Checker
    from mtcheck.engines.hf import HFEngine

    return Checker(engine=HFEngine(model, beam_size=1, local_files_only=True),
                   detectors=["reference-divergence", "lexicon", "numbers", "residue"])


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    ray.shutdown()


def _assert_every_cpu_comes_back(within: float = 30) -> None:
    """A killed actor gives its CPUs back to the cluster; one left running would hold them."""
    import time

    deadline = time.monotonic() + within
    while ray.available_resources().get("CPU", 0) < ray.cluster_resources()["CPU"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray.available_resources().get("CPU", 0) == ray.cluster_resources()["CPU"]


def _broken_table(folder: Path) -> Path:
    """A file named as a Parquet table that is not one: nothing in it can be read."""
    broken = folder / "broken.parquet"
    broken.write_bytes(b"id,text\na,Le chat dort.\n")
    return broken


def _files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.glob("*/*")) if p.suffix in (".jsonl", ".json")}


@pytest.mark.parametrize(("workers", "cpus"), [(2, 0.5), (1, 1.5)], ids=["two one-stage workers", "one overlapping worker"])
def test_ray_backend_matches_local_backend(local_ray, tiny_model: Path, tmp_path: Path, workers: int, cpus: float):
    from mtcheck.batch.ray_backend import run_batch_ray

    corpus = make_corpus(tmp_path / "corpus", n=12)
    make = functools.partial(_make_checker, str(tiny_model))
    local = run_batch(iter_articles(corpus), make, tmp_path / "local", progress=False)
    distributed = run_batch_ray(corpus, make, tmp_path / "ray", workers=workers, cpus_per_worker=cpus, batch_size=4)
    assert (distributed.checked, distributed.failed) == (local.checked, local.failed) == (12, 4)
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")

    rerun = run_batch_ray(corpus, make, tmp_path / "ray", workers=workers, cpus_per_worker=cpus)
    assert rerun.skipped == 12 and rerun.checked == 0


@pytest.mark.parametrize(("overlap", "engine_off_the_actors_thread"), [(False, False), (True, True)])
def test_an_actor_of_one_cpu_translates_on_its_own_thread(tiny_model: Path, tmp_path: Path, overlap: bool,
                                                          engine_off_the_actors_thread: bool):
    """Ray gives the CPUs an actor does not hold to other actors: one that holds one CPU must
    not keep a second core busy translating ahead while it checks."""
    import threading

    from mtcheck import Checker
    from mtcheck.batch.ray_backend import _CheckActor
    from mtcheck.corpus import ArticleInput
    from mtcheck.engines.cache import CachedEngine, RecentTranslations
    from mtcheck.engines.hf import HFEngine

    engine_threads: set[str] = set()

    class RecordedEngine(HFEngine):
        def translate(self, texts):
            engine_threads.add(threading.current_thread().name)
            return super().translate(texts)

    def make_checker() -> Checker:
        # The command line's checker: its engine behind a cache (in memory), which the next
        # window's sentences are translated into ahead of their checks.
        engine = CachedEngine(RecordedEngine(str(tiny_model), beam_size=1, local_files_only=True), RecentTranslations())
        return Checker(engine=engine, detectors=["reference-divergence", "lexicon", "numbers", "residue"])

    articles = [a for a in iter_articles(make_corpus(tmp_path / "corpus", n=8)) if isinstance(a, ArticleInput)]
    actor = _CheckActor(make_checker, str(tmp_path / "out"), overlap=overlap)
    (tmp_path / "out").mkdir()
    result = actor.check(articles)
    assert len(result["status"]) == len(articles)
    assert engine_threads, "the engine translated nothing"
    assert any(name != threading.current_thread().name for name in engine_threads) is engine_off_the_actors_thread


def test_ray_backend_reads_tables(local_ray, tiny_model: Path, tmp_path: Path):
    from mtcheck.batch.ray_backend import run_batch_ray

    rows = [{"id": f"t{i}", "text": f"Le chat numéro {i} dort. Il rêve.", "references": ["The cat sleeps."]}
            for i in range(6)]
    table = tmp_path / "in.jsonl"
    table.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    make = functools.partial(_make_checker, str(tiny_model))
    local = run_batch(iter_articles(table), make, tmp_path / "local", progress=False)
    distributed = run_batch_ray(table, make, tmp_path / "ray", workers=2, cpus_per_worker=0.5, batch_size=2)
    assert distributed.checked == local.checked == 6
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")


def test_ray_backend_reads_a_single_reference_as_text_like_the_local_backend(local_ray, tiny_model: Path, tmp_path: Path):
    """A CSV cell holds one reference as plain text: it must reach the checker as that text,
    not as that text quoted as JSON."""
    from mtcheck.batch.ray_backend import run_batch_ray

    table = tmp_path / "in.csv"
    table.write_text('id,text,references\nc1,"Le chat dort. Il rêve.",The cat sleeps.\n'
                     'c2,"Le chien court.","[""The dog runs."", ""It barks.""]"\n', encoding="utf-8")
    make = functools.partial(_make_checker, str(tiny_model))
    run_batch(iter_articles(table), make, tmp_path / "local", progress=False)
    run_batch_ray(table, make, tmp_path / "ray", workers=1, cpus_per_worker=0.5)
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")
    kept = (tmp_path / "ray" / "articles" / "c1.jsonl").read_text(encoding="utf-8")
    assert '"The cat sleeps."' in kept and '\\"The cat sleeps.\\"' not in kept


def test_ray_backend_reads_rows_the_local_backend_reads_and_fails_the_same_rows(local_ray, tiny_model: Path,
                                                                              tmp_path: Path):
    """One bad line must not cost the rows around it, and a row must get the same id on Ray as
    locally: ids as written ("007", not 7), ids of mixed types, a line broken off, a line that
    is not UTF-8; every failure names the file and line."""
    from mtcheck.batch.ray_backend import run_batch_ray

    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(b'{"id": 1, "text": "Le chat dort. Il r\xc3\xaave.", "references": ["The cat sleeps."]}\n'
                      b'{"id": "b", "text": \n'
                      b'{"id": "c", "text": "Le chien court.", "references": "The dog runs."}\n'
                      b'{"id": "d", "text": "Le caf\xe9 est chaud."}\n'
                      b'{"id": "e", "text": "Il pleut. Il fait froid."}\n'
                      b'{"id": "f", "text": ""}\n'  # a failed row's id is taken: the next "f" is a duplicate
                      b'{"id": "f", "text": "Le chat dort."}\n')
    csv = tmp_path / "in.csv"
    csv.write_bytes(b'id,text\n007,Le chat dort.\n010,"Le caf\xe9 est chaud."\n011,Il pleut.\n')
    make = functools.partial(_make_checker, str(tiny_model))
    for table, checked_and_failed in ((jsonl, (3, 4)), (csv, (2, 1))):
        name = table.suffix.lstrip(".")
        local = run_batch(iter_articles(table), make, tmp_path / f"local-{name}", progress=False)
        distributed = run_batch_ray(table, make, tmp_path / f"ray-{name}", workers=2, cpus_per_worker=0.5)
        assert (distributed.checked, distributed.failed) == (local.checked, local.failed) == checked_and_failed
        assert _files(tmp_path / f"ray-{name}") == _files(tmp_path / f"local-{name}")
    assert sorted(p.stem for p in (tmp_path / "ray-csv" / "articles").glob("*.jsonl")) == ["007", "011"]
    reasons = [json.loads(p.read_text(encoding="utf-8"))["reason"]
               for p in (tmp_path / "ray-jsonl" / "failed").glob("*.json")]
    assert any("in.jsonl:2" in r and "malformed JSON" in r for r in reasons)
    assert any("in.jsonl:4" in r and "not valid UTF-8" in r for r in reasons)
    assert any("in.jsonl:6" in r and "empty" in r for r in reasons)
    assert any("duplicate id 'f'" in r for r in reasons)


@pytest.mark.parametrize("batch_size", [1, 3], ids=["refused row alone in its batch", "refused row beside others"])
def test_ray_backend_refuses_duplicate_ids_like_the_local_backend(local_ray, tiny_model: Path, tmp_path: Path,
                                                                  batch_size: int):
    """Actors run in parallel: two rows with one id would race for one result file."""
    from mtcheck.batch.ray_backend import run_batch_ray

    texts = ["Le chat dort. Il rêve.", "Le chien court. Il aboie.", "Le chat mange. Il a faim."]
    rows = [{"id": i, "text": t, "references": ["The cat sleeps."]} for i, t in zip(["a", "b", "a"], texts)]
    table = tmp_path / "in.jsonl"
    table.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    make = functools.partial(_make_checker, str(tiny_model))
    local = run_batch(iter_articles(table), make, tmp_path / "local", progress=False)
    distributed = run_batch_ray(table, make, tmp_path / "ray", workers=2, cpus_per_worker=0.5, batch_size=batch_size)
    assert (distributed.checked, distributed.failed) == (local.checked, local.failed) == (2, 1)
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")
    kept = (tmp_path / "ray" / "articles" / "a.jsonl").read_text(encoding="utf-8")
    assert "Le chat dort" in kept and "Le chat mange" not in kept


def test_ray_backend_names_an_unreadable_table_and_leaves_no_actor_behind(local_ray, tiny_model: Path, tmp_path: Path):
    """The actors start while the input is read: a table that cannot be read still fails with
    its path and the reader's complaint, and takes its actors with it."""
    from mtcheck.batch.ray_backend import run_batch_ray
    from mtcheck.errors import InputError

    make = functools.partial(_make_checker, str(tiny_model))
    with pytest.raises(InputError, match="does not exist"):
        run_batch_ray(tmp_path / "missing.jsonl", make, tmp_path / "out-missing", workers=2, cpus_per_worker=0.5)
    broken = _broken_table(tmp_path)
    with pytest.raises(InputError, match=r"broken\.parquet.*cannot read Parquet"):
        run_batch_ray(broken, make, tmp_path / "out-broken", workers=2, cpus_per_worker=0.5)
    _assert_every_cpu_comes_back()


def test_ray_backend_with_more_workers_than_batches_checks_every_article(local_ray, tiny_model: Path, tmp_path: Path):
    """Actors start before the input is cut: those left without a batch are let go, and the
    CPUs they held come back to the cluster once the run ends."""
    from mtcheck.batch.ray_backend import run_batch_ray

    table = tmp_path / "in.jsonl"
    table.write_text(json.dumps({"id": "only", "text": "Le chat dort. Il rêve.", "references": ["The cat sleeps."]},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    make = functools.partial(_make_checker, str(tiny_model))
    local = run_batch(iter_articles(table), make, tmp_path / "local", progress=False)
    distributed = run_batch_ray(table, make, tmp_path / "ray", workers=3, cpus_per_worker=0.5)
    assert distributed.checked == local.checked == 1
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")
    _assert_every_cpu_comes_back()


def test_a_worker_no_node_can_hold_is_refused_instead_of_waiting_forever(tiny_model: Path, tmp_path: Path):
    """Ray keeps an actor that no node has the CPUs for pending, without a word: on the
    machine's own cluster, where no node will join, the run must stop and say why."""
    import os
    import subprocess
    import sys

    table = tmp_path / "in.jsonl"
    table.write_text(json.dumps({"id": "a", "text": "Le chat dort."}) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    done = subprocess.run([sys.executable, "-m", "mtcheck", "batch", str(table), "-o", str(tmp_path / "out"),
                           "--engine", "hf", "--model", str(tiny_model), "--backend", "ray", "--cpus-per-worker", "64",
                           "--quiet"], capture_output=True, text=True, timeout=300, env={**env, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 2, done.stderr
    assert "no node of the Ray cluster has 64 CPUs" in done.stderr and "--cpus-per-worker" in done.stderr
    # --quiet on mtcheck's own cluster: mtcheck's words alone, not Ray's notice that the
    # cluster it started for this run has token authentication on.
    assert [line for line in done.stderr.splitlines() if line.strip()] == [done.stderr.strip()], done.stderr


def test_an_actor_that_dies_ends_the_run_with_a_clear_error_and_keeps_the_results(local_ray, tiny_model: Path,
                                                                                  tmp_path: Path):
    """As with local worker processes: not Ray's "The actor died unexpectedly" as an internal
    error, but what happened, what to try, and the results written before kept."""
    from mtcheck.batch.ray_backend import run_batch_ray
    from mtcheck.errors import WorkerError

    from .test_robustness import _checker_killed_on_meurs

    table = tmp_path / "in.jsonl"
    texts = ["Le chat dort. Il rêve.", "Le chien court. Il aboie.", "MEURS."]
    table.write_text("".join(json.dumps({"id": f"r{n}", "text": t}, ensure_ascii=False) + "\n"
                             for n, t in enumerate(texts)), encoding="utf-8")
    output = tmp_path / "out"
    with pytest.raises(WorkerError, match=r"worker process died .*2 articles finished before are kept"):
        run_batch_ray(table, functools.partial(_checker_killed_on_meurs, str(tiny_model)), output, workers=1,
                      cpus_per_worker=0.5, batch_size=1)
    assert sorted(p.stem for p in (output / "articles").glob("*.jsonl")) == ["r0", "r1"]
    _assert_every_cpu_comes_back()


def test_an_actor_that_cannot_build_its_checker_says_why(local_ray, tmp_path: Path):
    """A model that does not load (a mistyped --model) must not read as an actor killed for
    lack of memory: the checker's own error reaches the user."""
    from mtcheck.batch.ray_backend import run_batch_ray
    from mtcheck.errors import WorkerError

    from .test_robustness import _checker_that_cannot_load

    table = tmp_path / "in.jsonl"
    table.write_text(json.dumps({"id": "a", "text": "Le chat dort."}) + "\n", encoding="utf-8")
    with pytest.raises(WorkerError, match="could not build its checker: cannot load model 'opus-mt-fr-en'"):
        run_batch_ray(table, _checker_that_cannot_load, tmp_path / "out", workers=2, cpus_per_worker=0.5)
    _assert_every_cpu_comes_back()


def test_the_largest_node_is_named_only_when_no_node_can_hold_a_worker(local_ray):
    """On a cluster that may grow (an autoscaler), mtcheck warns rather than refuses; both read
    the same answer from Ray's own node list."""
    from mtcheck.batch.ray_backend import _largest_node_if_short

    nodes = ray.nodes()
    assert _largest_node_if_short(nodes, 2, 0) is None and _largest_node_if_short(nodes, 0.5, 0) is None
    assert _largest_node_if_short(nodes, 3, 0) == (2, 0)
    assert _largest_node_if_short(nodes, 1, 1) == (2, 0)


def test_ray_backend_starts_no_cluster_for_an_unreadable_table(tiny_model: Path, tmp_path: Path, monkeypatch):
    """A cluster started for the run takes seconds to start: a table that cannot be read fails
    first, with its path and the reader's complaint."""
    from mtcheck.batch.ray_backend import run_batch_ray
    from mtcheck.errors import InputError

    def refuse(*args, **kwargs):
        raise AssertionError("a Ray cluster was started for an input that cannot be read")

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as in a fresh process
    monkeypatch.setattr(ray, "init", refuse)
    broken = _broken_table(tmp_path)
    with pytest.raises(InputError, match=r"broken\.parquet.*cannot read Parquet"):
        run_batch_ray(broken, functools.partial(_make_checker, str(tiny_model)), tmp_path / "out", workers=2)
