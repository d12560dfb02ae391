"""Beyond one machine, by simulation: a Ray cluster of two nodes started on loopback with Ray's
own ``ray start``, each node with its own resources, and ``mtcheck batch --backend ray``
pointed at it gives the local backend's results."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason='Ray is an optional extra: pip install "mtcheck[ray]"')

from .test_batch import make_corpus  # noqa: E402
from .test_ray_backend import _files  # noqa: E402

RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_node(log: Path, env: dict[str, str], *arguments: str) -> subprocess.Popen:
    # --block keeps the node in the foreground, and its own session (process group) lets the
    # test stop exactly these nodes, not every Ray process of the machine (``ray stop`` would).
    return subprocess.Popen([RAY, "start", "--block", "--node-ip-address=127.0.0.1", "--num-cpus=2",
                             "--object-store-memory=150000000", "--disable-usage-stats", *arguments],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True, env=env)


def _stop(node: subprocess.Popen) -> None:
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(node.pid, sig)
        except ProcessLookupError:
            return
        try:
            node.wait(wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def two_node_cluster(tmp_path_factory):
    """The cluster's address and the environment that reaches it: token authentication, with
    one token shared by the nodes and the driver, as on a real cluster."""
    import secrets

    logs = tmp_path_factory.mktemp("ray-logs")
    address = f"127.0.0.1:{_free_port()}"
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    head = _start_node(logs / "head.log", env, "--head", f"--port={address.split(':')[1]}",
                       "--include-dashboard=false", '--resources={"node_a": 1}')
    nodes = [head]
    try:
        _wait_for_nodes(address, 1, logs / "head.log", env)
        nodes.append(_start_node(logs / "worker.log", env, f"--address={address}", '--resources={"node_b": 1}'))
        _wait_for_nodes(address, 2, logs / "worker.log", env)
        yield address, env
    finally:
        for node in reversed(nodes):
            _stop(node)
        _forget_cluster(address.split(":")[1])


def _forget_cluster(port: str) -> None:
    """``ray start --head`` records its address for later ``ray.init()`` calls to join; once the
    nodes are stopped that record would send them to a dead cluster (``ray stop`` removes it)."""
    import tempfile

    record = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
    try:
        if record.read_text().strip().endswith(f":{port}"):
            record.unlink()
    except OSError:
        pass


def _wait_for_nodes(address: str, count: int, log: Path, env: dict[str, str], timeout_s: float = 90) -> None:
    probe = ("import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False); "
             "print(sum(n['Alive'] for n in ray.nodes()))")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = subprocess.run([sys.executable, "-c", probe, address], capture_output=True, text=True, env=env,
                               timeout=60)
        if found.returncode == 0 and found.stdout.strip().splitlines()[-1:] == [str(count)]:
            return
        time.sleep(2)
    raise AssertionError(f"the Ray cluster at {address} did not reach {count} nodes:\n{log.read_text()[-2000:]}")


def _batch(source: Path, output: Path, model: Path, *options: str, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "mtcheck.cli", "batch", str(source), "-o", str(output), "--engine", "hf",
               "--model", str(model), "--beam-size", "1", "--threads", "1", "--no-cache", "--quiet", *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env or dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]


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
    from click.testing import CliRunner

    from mtcheck.cli import main

    result = CliRunner().invoke(main, ["batch", str(make_corpus(tmp_path / "c", n=1)), "-o", str(tmp_path / "o"),
                                       "--address", "127.0.0.1:1"])
    assert result.exit_code == 2 and "--backend ray" in result.output
