"""mtcheck's wheel, built from this checkout and installed (no editable link) into a new
virtual environment: what ``tests/test_wheel.py`` runs and ``benchmarks/startup.py`` times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def install_wheel(base: Path, *, borrow_dependencies: bool) -> Path:
    """Build the wheel into ``base/dist`` and install it alone into ``base/venv``; its scripts
    folder (``python``, ``mtcheck``). ``borrow_dependencies``: the environment also sees this
    interpreter's packages (torch, transformers, …: nothing is downloaded); otherwise it holds
    mtcheck and nothing else. No index is asked."""
    dist, venv = base / "dist", base / "venv"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist)], check=True, cwd=base)
    (wheel,) = dist.glob("mtcheck-*.whl")
    subprocess.run([sys.executable, "-m", "venv", *(["--system-site-packages"] if borrow_dependencies else []),
                    str(venv)], check=True)
    scripts = venv / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run([str(scripts / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--force-reinstall", str(wheel)], check=True)
    return scripts
