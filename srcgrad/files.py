"""Files written whole or not at all, and locks: what the build cache and OUTDIR rely on so that
parallel and interrupted builds never leave a half-written file."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive fcntl lock on `path` (a file, created if missing, or a directory)."""
    if path.is_dir():
        fd = os.open(path, os.O_RDONLY)
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one rename; on any failure the old file stays as it was."""
    def write(fd: int, tmp: str) -> None:
        with os.fdopen(fd, "wb") as out:
            out.write(data)

    _replace(path, write, 0o644)


def atomic_copy(source: Path, destination: Path) -> None:
    """Replace `destination` by a copy of `source` (a binary: executable), in one rename."""
    def copy(fd: int, tmp: str) -> None:
        os.close(fd)
        shutil.copyfile(source, tmp)

    _replace(destination, copy, 0o755)


def _replace(path: Path, fill, mode: int) -> None:
    """fill(fd, name) writes a temporary file beside `path`, which then replaces it; the temporary
    file is removed on every way out but success."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        fill(fd, tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def same_file(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False
