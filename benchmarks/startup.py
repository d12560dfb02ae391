"""Start-up cost of the command line (issue #23): `mtcheck segment` and `mtcheck --help`
against `python -c "import mtcheck"`, and a warm `mtcheck check` of the sample.

    python benchmarks/startup.py [--repeats 7] [--no-write]

Each command runs in a fresh process ``--repeats`` times; the best time of each is kept (the
least disturbed by the rest of the machine). The warm check runs after one check has filled
the translation cache and kept its output, with Apertium.

The same commands that need no dependency (``import mtcheck``, ``--help``, ``segment``) are
timed again in a fresh virtual environment holding only mtcheck's wheel, built from this
checkout: what a user's Python meets, without this environment's start-up hooks (an editable
install's finder, other packages' ``.pth`` files), which import modules mtcheck would
otherwise import itself and so make every ratio to ``import mtcheck`` look smaller.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # tests.wheel_install, _results

from _results import user_environment, write_section  # noqa: E402
from tests.wheel_install import install_wheel  # noqa: E402


def best(command: list[str], repeats: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=user_environment(), cwd=cwd)
        times.append(time.perf_counter() - start)
    return min(times)


def wheel_only_environment(folder: Path) -> Path:
    """A virtual environment in ``folder`` holding mtcheck's wheel and nothing else; its
    scripts folder."""
    scripts = install_wheel(folder, borrow_dependencies=False)
    found = subprocess.run([str(scripts / "python"), "-c", "import mtcheck; print(mtcheck.__file__)"], check=True,
                           capture_output=True, text=True, env=user_environment(), cwd=folder).stdout.strip()
    # PYTHONPATH naming the checkout, say: not the figures this claims.
    if not Path(found).is_relative_to(scripts.parent):
        raise SystemExit(f"the wheel-only environment imports mtcheck from {found}, not from its wheel")
    return scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    # The console script pip installed beside this Python, not whatever `mtcheck` is first on
    # PATH: a version manager's shim there (pyenv's is a bash script) would time itself too.
    mtcheck = [shutil.which("mtcheck", path=str(Path(sys.executable).parent)) or "mtcheck"]
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.fr.txt"
        small.write_text("Le président a parlé mardi. Il a annoncé un nouveau plan d'aide.\n", encoding="utf-8")
        subprocess.run([*mtcheck, "check", "--engine", "apertium", "--quiet"], check=True, capture_output=True,
                       env=user_environment())
        figures = {
            'python -c "import mtcheck"': best([sys.executable, "-c", "import mtcheck"], args.repeats),
            "mtcheck --help": best([*mtcheck, "--help"], args.repeats),
            "mtcheck segment small.fr.txt": best([*mtcheck, "segment", str(small)], args.repeats),
            "mtcheck check (sample, warm cache, apertium)": best(
                [*mtcheck, "check", "--engine", "apertium", "--quiet"], max(3, args.repeats // 2)),
        }
        # Run from the temporary folder, so that `python -c` finds no mtcheck/ in its working folder.
        scripts = wheel_only_environment(Path(folder))
        wheel_only = {
            'python -c "import mtcheck"': best([str(scripts / "python"), "-c", "import mtcheck"], args.repeats,
                                               Path(folder)),
            "mtcheck --help": best([str(scripts / "mtcheck"), "--help"], args.repeats, Path(folder)),
            "mtcheck segment small.fr.txt": best([str(scripts / "mtcheck"), "segment", str(small)], args.repeats,
                                                 Path(folder)),
        }
    base, helptime = figures['python -c "import mtcheck"'], figures["mtcheck --help"]
    wheel_base = wheel_only['python -c "import mtcheck"']
    rows = [f"| `{name}` | {seconds:.3f} s | {seconds / base:.2f}× |" for name, seconds in figures.items()]
    body = "\n".join([
        "## Start-up (issue #23)", "", f"Command: `python benchmarks/startup.py --repeats {args.repeats}`", "",
        "Goals: `segment` ≤ 1.5× `import mtcheck`; a warm `check` of the sample ≤ 2× `mtcheck --help`.", "",
        "| command | best time | × import mtcheck |", "| --- | ---: | ---: |", *rows, "",
        f"`segment` / `import mtcheck`: {figures['mtcheck segment small.fr.txt'] / base:.2f}; warm `check` / "
        f"`--help`: {figures['mtcheck check (sample, warm cache, apertium)'] / helptime:.2f}.", "",
        "The same in a fresh virtual environment holding only mtcheck's wheel (no dependency; none of this "
        "environment's start-up hooks):", "",
        "| command | best time | × import mtcheck |", "| --- | ---: | ---: |",
        *(f"| `{name}` | {seconds:.3f} s | {seconds / wheel_base:.2f}× |" for name, seconds in wheel_only.items())])
    print(body)
    if not args.no_write:
        write_section("startup", body)


if __name__ == "__main__":
    main()
