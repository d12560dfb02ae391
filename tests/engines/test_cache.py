import multiprocessing
import sqlite3

import pytest

from mtcheck.engines.cache import CachedEngine, TranslationCache
from mtcheck.types import TokenScore, Translation, WordLink


class CountingEngine:
    """A real (if trivial) engine: upper-cases text, and counts what it was asked."""

    name = "upper"
    signature = "upper|v1"

    def __init__(self):
        self.calls = []

    def translate(self, texts):
        self.calls.append(list(texts))
        return [Translation(text=t.upper(), engine=self.signature, token_scores=(TokenScore("▁X", -0.5),),
                            links=(WordLink(0, 1, 0, 1),)) for t in texts]


def test_hits_skip_the_engine_and_round_trip_everything(tmp_path):
    cache = TranslationCache(tmp_path / "t.sqlite")
    engine = CountingEngine()
    cached = CachedEngine(engine, cache)
    first = cached.translate(["un", "deux", "un"])
    second = cached.translate(["deux", "un"])
    assert engine.calls == [["un", "deux"]]
    assert second == [first[1], first[0]]
    assert second[0].token_scores == (TokenScore("▁X", -0.5),) and second[0].links == (WordLink(0, 1, 0, 1),)
    assert (cached.hits, cached.misses) == (3, 2)


def test_entries_are_kept_apart_by_signature(tmp_path):
    cache = TranslationCache(tmp_path / "t.sqlite")
    cache.put_many("a", [("x", Translation("X-a", "a"))])
    cache.put_many("b", [("x", Translation("X-b", "b"))])
    assert cache.get_many("a", ["x"])["x"].text == "X-a"
    assert cache.stats()["signatures"] == {"a": 1, "b": 1}
    assert cache.clear("a") == 1 and cache.get_many("a", ["x"]) == {}


def _fill(path, worker, n):
    cache = TranslationCache(path)
    for i in range(n):
        cache.put_many("sig", [(f"w{worker}-{i}", Translation(f"T{worker}-{i}", "sig"))])


def test_two_processes_filling_one_cache_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite"
    TranslationCache(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_fill, args=(path, w, 300)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    cache = TranslationCache(path)
    assert cache.stats()["entries"] == 600
    assert cache.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got = cache.get_many("sig", [f"w{w}-{i}" for w in range(2) for i in range(300)])
    assert all(got[f"w{w}-{i}"].text == f"T{w}-{i}" for w in range(2) for i in range(300))


def test_corrupted_file_is_set_aside_and_rebuilt(tmp_path):
    path = tmp_path / "t.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.warns(UserWarning, match="set aside as t.sqlite.corrupt-"):
        cache = TranslationCache(path)
    assert cache.stats()["entries"] == 0
    assert list(tmp_path.glob("t.sqlite.corrupt-*"))
    cache.put_many("s", [("a", Translation("A", "s"))])
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM translations").fetchone()[0] == 1


def test_damaged_copies_do_not_pile_up_and_the_warning_is_one_line(tmp_path):
    """Before: every damaged open left a .corrupt-* file behind, and the CLI printed
    "<string>:5: UserWarning:" with Python's source line."""
    import subprocess
    import sys

    path = tmp_path / "t.sqlite"
    for _ in range(3):
        path.write_bytes(b"this is not a database" * 100)
        for stale in tmp_path.glob("t.sqlite.corrupt-*"):  # distinct names, whatever the clock says
            stale.rename(stale.with_name(stale.name + "0"))
        result = subprocess.run([sys.executable, "-m", "mtcheck.cli", "cache", "stats", "--cache", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith("mtcheck: warning: translation cache") and "rebuilt empty" in line
    assert len(list(tmp_path.glob("t.sqlite.corrupt-*"))) == 1


def test_a_cache_that_cannot_be_opened_is_an_error_not_damage(tmp_path):
    """A folder in the way cannot be opened; setting it aside as "corrupt" would hide the mistake."""
    path = tmp_path / "t.sqlite"
    path.mkdir()
    with pytest.raises(OSError, match="cannot open the translation cache"):
        TranslationCache(path)
    assert path.is_dir() and not list(tmp_path.glob("t.sqlite.corrupt-*"))
