"""Apertium's installed language data, and running its pipelines as processes.

Both the rule-based engine (:mod:`mtcheck.engines.apertium`) and the taggers
(:mod:`mtcheck.lang.tagging`) read Apertium; what they share lives here, below both.
"""

from __future__ import annotations

import os
import selectors
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from ..errors import EngineError

# French → Spanish → English: Apertium has no French–English pair of its own.
PIVOT_MODES = ("fr-es", "spa-eng")
_SEPARATOR = "\n\n"
MODE_DIRS = (Path("/usr/share/apertium/modes"), Path("/usr/local/share/apertium/modes"))


def by_paragraph(run: Callable[[str], str], texts: Sequence[str]) -> list[str]:
    """``run`` over all the texts at once, one paragraph each; text by text if the run merges them.

    A blank line between texts keeps each one's result (nearly) independent of its
    neighbours: with a plain line break Apertium carries capitalisation and lexical choices
    over from the line before, and 27 of 400 WMT20 sentences came out differently in a batch
    than alone; with a blank line, 3.
    """
    out = run(_SEPARATOR.join(texts)).split(_SEPARATOR)
    if len(out) >= len(texts) and all(not o.strip() for o in out[len(texts):]):
        return out[: len(texts)]
    return [run(text) for text in texts]


def run_stages(stages: Sequence[tuple[str, list[str]]], text: str, timeout_s: float) -> str:
    """Pipe ``text`` through each (label, command) in turn; an EngineError names the stage that failed."""
    for label, command in stages:
        try:
            proc = subprocess.run(command, input=text, capture_output=True, text=True, timeout=timeout_s,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"{label} failed: {exc}") from exc
        if proc.returncode != 0:
            raise EngineError(f"{label} exited {proc.returncode}: {proc.stderr.strip()[:200]}")
        text = proc.stdout.rstrip("\n")
    return text


def run_streamed(pipelines: dict[str, ModeRun],
                 stages: Sequence[tuple[str, Callable[[], ModeRun], Sequence[list[str]]]],
                 text: str, timeout_s: float) -> str:
    """:func:`run_stages` through running pipelines (kept in ``pipelines`` by label, started on
    first use): the same output, without starting each stage's processes for every call.

    Each stage is (label, how to start its pipeline, the one-shot commands it stands for). A
    stage whose pipeline cannot start or stops runs as its one-shot commands, which name what failed.
    """
    for label, start, commands in stages:
        try:
            if label not in pipelines:
                pipelines[label] = start()
            text = pipelines[label].run(text, timeout_s).rstrip("\n")
        except TimeoutError as exc:
            raise EngineError(f"{label} failed: {exc}") from exc
        except OSError:
            text = run_stages([(command[0] if len(commands) > 1 else label, command) for command in commands],
                              text, timeout_s)
    return text


def apertium_problem(modes: Sequence[str] = PIVOT_MODES) -> str | None:
    """Why Apertium cannot run the given modes here, or None when it can."""
    if shutil.which("apertium") is None:
        return "apertium is not installed (Debian: apt-get install apertium apertium-fr-es apertium-eng-spa)"
    for mode in modes:
        try:
            mode_file(mode)
        except EngineError as exc:
            return str(exc)
    return None


def mode_file(mode: str) -> Path:
    """The installed file that defines an Apertium mode's pipeline."""
    for folder in MODE_DIRS:
        if (folder / f"{mode}.mode").exists():
            return folder / f"{mode}.mode"
    raise EngineError(f"apertium mode {mode} is missing (Debian: apt-get install apertium-fr-es apertium-eng-spa)")


def package_version(package: str) -> str:
    """The installed Debian version of an Apertium package, or "unknown"."""
    return _installed_versions().get(package, "unknown")


@lru_cache(maxsize=1)
def _installed_versions() -> dict[str, str]:
    """The Debian versions of every Apertium package, asked of dpkg once a process: a rerun
    that reuses every stored result still names them in its run signature."""
    try:
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Version}\n", "apertium*"],
                              capture_output=True, text=True, check=False)
    except OSError:
        return {}
    return dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line and line.split("\t")[1])


@dataclass
class NullFlushPipeline:
    """Apertium programs started once and fed input after input, each ended by a NUL.

    With ``-z`` an Apertium tool treats a NUL as the end of one input: it finishes that input,
    writes a NUL and flushes, so one running pipeline serves every call. ``command`` is a bash
    pipeline of such tools in Apertium's stream format. A pipeline that failed or exited is
    started again on the next call; ``exchange`` raises OSError for the caller to fall back on.
    """

    command: str
    args: tuple[str, ...] = ()
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _owner: int = field(default=0, init=False, repr=False)
    _errors: IO[bytes] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def exchange(self, text: str, timeout_s: float) -> str:
        """What the pipeline makes of ``text`` (in stream format, without NULs)."""
        with self._lock:
            process = self._running()
            try:
                return self._exchange(process, text.encode("utf-8") + b"\0", timeout_s).decode("utf-8")
            except BaseException:
                self.close()  # a pipeline that missed its NUL is out of step with its input
                raise

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and self._owner == os.getpid():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except OSError:
                pass
            process.wait()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._owner != os.getpid():
            self._process = None  # inherited through fork: the parent's, whose pipes it must not touch
        if self._process is None or self._process.poll() is not None:
            self.close()
            self._errors = tempfile.TemporaryFile()
            # Its own process group, so that closing stops every stage, not only bash.
            self._process = subprocess.Popen(["bash", "-c", self.command, "apertium", *self.args],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                                             start_new_session=True)
            self._owner = os.getpid()
        return self._process

    def _exchange(self, process: subprocess.Popen[bytes], data: bytes, timeout_s: float) -> bytes:
        assert process.stdin is not None and process.stdout is not None
        # Written from a thread: a long input would otherwise fill the pipes both ways and block.
        writer = threading.Thread(target=_write_all, args=(process.stdin, data), daemon=True)
        writer.start()
        out = bytearray()
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not out.endswith(b"\0"):
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError(f"no answer in {timeout_s:.0f} s")
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    raise OSError(f"the pipeline stopped: {self._error_tail()}")
                out += chunk
        writer.join()
        return bytes(out[:-1])

    def _error_tail(self) -> str:
        if self._errors is None:
            return ""
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", "replace").strip()[-200:]

    def __getstate__(self) -> dict[str, Any]:  # a copy in another process starts its own
        return {"command": self.command, "args": self.args}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


@dataclass
class ModeRun:
    """``apertium -u MODE`` (or a tagger's first stages) with the dictionaries kept loaded.

    Starting a mode's pipeline loads its dictionaries and transfer rules in a dozen processes,
    about 0.14 s, where translating a paragraph takes milliseconds. Each step is a running
    :class:`NullFlushPipeline`, or a command started per call: the formatter and reformatter
    (``apertium-destxt`` drops NULs, so it cannot stay running), exactly as the ``apertium``
    command runs them, and the part-of-speech tagger, which carries what it read last across a
    NUL (eng-spa tagged a text differently after another one) and starts in milliseconds.
    """

    steps: tuple[NullFlushPipeline | tuple[str, ...], ...]

    def run(self, text: str, timeout_s: float) -> str:
        for step in self.steps:
            if isinstance(step, NullFlushPipeline):
                text = step.exchange(text, timeout_s)
            else:
                text = _run_tool(list(step), text, timeout_s)
        return text


def streamed_stages(stages: Sequence[str], args: Sequence[str] = ()) -> ModeRun:
    """A :class:`ModeRun` of the ``-z`` pipeline ``stages`` between destxt and retxt: runs of
    stages kept running, each tagger started per call (``args`` fill ``$1``, ``$2``)."""
    steps: list[NullFlushPipeline | tuple[str, ...]] = [("apertium-destxt",)]
    running: list[str] = []
    for stage in stages:
        if stage.split()[0] != "apertium-tagger":
            running.append(stage)
            continue
        if running:
            steps.append(NullFlushPipeline(" | ".join(running), tuple(args)))
            running = []
        filled = stage.replace("$1", args[0] if args else "").replace("$2", args[1] if len(args) > 1 else "")
        steps.append(tuple(word for word in shlex.split(filled) if word != "-z"))
    if running:
        steps.append(NullFlushPipeline(" | ".join(running), tuple(args)))
    steps.append(("apertium-retxt",))
    return ModeRun(tuple(steps))


def mode_pipeline(mode: str, unknown_words: str = "-n") -> ModeRun:
    """``apertium -u MODE`` kept running (``unknown_words`` "-n": unknown words unmarked, as
    ``-u`` gives; "-g": marked)."""
    proc = subprocess.run(["apertium-wblank-mode", "-z", str(mode_file(mode))], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise OSError(f"apertium-wblank-mode cannot read the {mode} mode: {proc.stderr.strip()[:200]}")
    return streamed_stages(proc.stdout.strip().split(" | "), (unknown_words, ""))


def _run_tool(command: list[str], text: str, timeout_s: float) -> str:
    proc = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=timeout_s, check=False)
    if proc.returncode != 0:
        raise OSError(f"{command[0]} exited {proc.returncode}: {proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
    return proc.stdout.decode("utf-8")


def _write_all(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass  # the reader sees the pipeline stop and says so
