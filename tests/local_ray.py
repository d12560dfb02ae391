"""A Ray cluster on this machine, started with Ray's own ``ray start`` and stopped cleanly:
what ``tests/test_ray_cluster.py`` runs mtcheck against, and ``benchmarks/batch.py`` times."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

RAY = str(Path(sys.executable).with_name("ray"))


@contextmanager
def local_cluster(logs: Path, resources: Sequence[str], cpus: int = 2) -> Iterator[tuple[str, dict[str, str]]]:
    """One node per entry of ``resources`` (its ``--resources`` JSON; the first is the head), on
    loopback, with ``cpus`` CPUs each. Yields the head's address and the environment that
    reaches it: token authentication with one token for the nodes and the driver, as Ray 2.59+
    asks of a real cluster."""
    address = f"127.0.0.1:{_free_port()}"
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    logs.mkdir(parents=True, exist_ok=True)
    nodes: list[subprocess.Popen] = []
    try:
        for n, node_resources in enumerate(resources):
            log = logs / f"node-{n}.log"
            role = ["--head", f"--port={address.split(':')[1]}", "--include-dashboard=false"] if n == 0 \
                else [f"--address={address}"]
            nodes.append(_start_node(log, env, cpus, *role, f"--resources={node_resources}"))
            _wait_for_nodes(address, n + 1, log, env)
        yield address, env
    finally:
        for node in reversed(nodes):
            _stop(node)
        _forget_cluster(address.split(":")[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_node(log: Path, env: dict[str, str], cpus: int, *arguments: str) -> subprocess.Popen:
    # --block keeps the node in the foreground, and its own session (process group) lets us
    # stop exactly these nodes, not every Ray process of the machine (``ray stop`` would).
    return subprocess.Popen([RAY, "start", "--block", "--node-ip-address=127.0.0.1", f"--num-cpus={cpus}",
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


def _forget_cluster(port: str) -> None:
    """``ray start --head`` records its address for later ``ray.init()`` calls to join; once the
    nodes are stopped that record would send them to a dead cluster (``ray stop`` removes it)."""
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
    raise RuntimeError(f"the Ray cluster at {address} did not reach {count} nodes:\n{log.read_text()[-2000:]}")
