"""Beyond one machine, by simulation: a Ray cluster of two nodes started on loopback with Ray's
own ``ray start``, each node with its own resources, and ``mtcheck batch --backend ray``
pointed at it gives the local backend's results."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason='Ray is an optional extra: pip install "mtcheck[ray]"')

from .local_ray import local_cluster  # noqa: E402
from .test_batch import _failed, make_corpus  # noqa: E402
from .test_ray_backend import _files  # noqa: E402


@pytest.fixture(scope="module")
def two_node_cluster(tmp_path_factory):
    """Two nodes, each with a resource of its own; yields the address and the environment."""
    with local_cluster(tmp_path_factory.mktemp("ray-logs"), ['{"node_a": 1}', '{"node_b": 1}']) as cluster:
        yield cluster


def _batch(source: Path, output: Path, model: Path, *options: str, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "mtcheck.cli", "batch", str(source), "-o", str(output), "--engine", "hf",
               "--model", str(model), "--beam-size", "1", "--threads", "1", "--no-cache", "--quiet", *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env or dict(os.environ))
    # make_corpus holds four articles that cannot be checked: exit 2, said on one line, on either backend.
    assert _failed(done, 4, 12), done.stderr[-3000:]
    # --quiet: nothing of Ray Data's progress, plan or deprecations on stderr either.
    for noise in ("Total Progress", "Running Dataset", "Starting execution", "deprecated", "Progress bars"):
        assert noise not in done.stderr, done.stderr[-3000:]


def test_a_two_node_cluster_gives_the_local_backends_results(two_node_cluster, tiny_model, tmp_path):
    address, env = two_node_cluster
    corpus = make_corpus(tmp_path / "corpus", n=8)
    _batch(corpus, tmp_path / "local", tiny_model)
    # 1.5 CPUs per actor on nodes of 2 CPUs: one actor per node, so both nodes work, and each
    # node keeps half a CPU for Ray Data's own tasks.
    _batch(corpus, tmp_path / "cluster", tiny_model, "--backend", "ray", "--jobs", "2", "--cpus-per-worker", "1.5",
           "--address", address, env=env)
    local = _files(tmp_path / "local")
    assert len(local) >= 8 and _files(tmp_path / "cluster") == local

    # RAY_ADDRESS, as Ray's own tools read it, instead of --address; a rerun reuses every article.
    _batch(corpus, tmp_path / "cluster", tiny_model, "--backend", "ray", "--jobs", "2", "--cpus-per-worker", "1.5",
           env={**env, "RAY_ADDRESS": address})
    assert _files(tmp_path / "cluster") == local


def test_address_without_the_ray_backend_is_refused(tmp_path, tiny_model):
    from .cli_runner import run_cli

    result = run_cli(["batch", str(make_corpus(tmp_path / "c", n=1)), "-o", str(tmp_path / "o"),
                      "--address", "127.0.0.1:1"])
    assert result.exit_code == 2 and "--backend ray" in result.output
