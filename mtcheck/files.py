"""Files in and out: text read with errors that name the file and the line, output written so
that a crash, a kill or a full disk never leaves half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import InputError


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file; a BOM is dropped and CRLF kept (offsets index the file as read)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, expected a text file")
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark (Windows "Unicode")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"starts as UTF-16 but does not decode as it (byte {exc.start}); "
                                   "save it as UTF-8") from None
    if b"\x00" in data[:4096]:
        raise InputError(path, "looks like a binary file, expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("cp1252")
            hint = "; it decodes as Windows-1252/Latin-1: convert it with iconv -f cp1252 -t utf-8"
        except UnicodeDecodeError:
            pass
        raise InputError(path, f"not valid UTF-8 (byte {exc.start}){hint}", line=line) from None
    return text.removeprefix("\ufeff")


def read_article_text(path: str | Path) -> str:
    """Read a French article and refuse an empty one."""
    text = read_text(path)
    if not text.strip():
        raise InputError(path, "the article is empty", line=1)
    return text


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of one.

    A failure (a folder in the way, no permission, a full disk) leaves the old file as it was
    and raises an :class:`OSError` that names ``path``, not the temporary file.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, expected a file name", str(path))
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide results from other users
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def unwritable_reason(path: Path) -> str | None:
    """Why ``path`` cannot be written as a file (checked before a long run, not after), or None.

    Missing folders are fine (:func:`atomic_write` creates them) as long as the nearest
    existing one is a folder that can be written.
    """
    path = Path(path)
    if path.is_dir():
        return "is a folder, expected a file name"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot be created: {folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be written: no permission to write in {folder}"
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def default_cache_dir() -> Path:
    """Where mtcheck keeps converted models, the translation cache and unpacked model data
    (``MTCHECK_CACHE`` overrides)."""
    return Path(os.environ.get("MTCHECK_CACHE") or Path.home() / ".cache" / "mtcheck")


def file_state(path: Path) -> list[int] | None:
    """A file's size and modification time (None: missing or unreadable), as make judges staleness."""
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def tree_state(folder: Path) -> str:
    """A hash of every file's path, size and modification time under ``folder`` (nothing there:
    the hash of nothing). Python's bytecode caches are not counted; linked folders are not
    entered; a linked file counts as the file it points to."""
    import hashlib  # not on the path of `mtcheck segment`, which only reads

    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(f"{os.path.relpath(path, folder)}|{file_state(Path(path))}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
