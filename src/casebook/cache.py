"""A cache of what loading builds from packaged resources, so that a command starts quickly.

Reading the vocabularies and building their indexes (normalised aliases, tries, postings) costs
far more than reading back the finished objects. ``load_or_build`` keeps each built object as
a pickle in the cache folder (``CASEBOOK_CACHE``, by default the user cache folder), under a
key made of what it was built from:

* the content of its source files or data (``digest``), passed by the caller;
* casebook's version and a digest of casebook's own code, since the code decides what is built
  (a pickle also names the classes it holds);
* the Python version, whose pickles may differ.

A file is written atomically (a temporary file, then a rename), so a reader never sees half of
one; a file that cannot be read back as the expected type (truncated, corrupt, written by
other code) is ignored and rebuilt. When the folder cannot be written the object is built
each time, and nothing fails. The cache holds only what casebook derives from its own
resources, never case data, and deleting the folder is always safe.

A pickle runs code when it is read: the cache folder must be as private as the user's home,
which the platform's user cache folder is.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import TypeVar

from casebook import __version__
from casebook.config import get_settings

T = TypeVar("T")

KEPT_PER_SOURCE = 3
"""Entries kept for one name and source content, built by different code: the newest, and a
few that another installed version of casebook (or another checkout) may still read."""

KEPT_IN_ALL = 48
"""Entries kept in the folder: those used longest ago go first."""


def digest(*parts: str | bytes | Path) -> str:
    """A hex digest of strings, bytes and the content of files, in order.

    Raises:
        OSError: When a file cannot be read.
    """
    hasher = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            with part.open("rb") as handle:
                content = hashlib.file_digest(handle, "sha256").digest()
        elif isinstance(part, str):
            content = part.encode("utf-8")
        else:
            content = part
        hasher.update(len(content).to_bytes(8, "little"))
        hasher.update(content)
    return hasher.hexdigest()


@cache
def code_digest() -> str:
    """A digest of casebook's version, its Python code and the Python version."""
    root = Path(__file__).parent
    files = sorted(root.rglob("*.py"))
    names = "\0".join(str(path.relative_to(root)) for path in files)
    return digest(__version__, sys.version, names, *files)


def cache_folder() -> Path:
    """Where built objects are kept (``CASEBOOK_CACHE``)."""
    return get_settings().cache


def load_or_build(name: str, key: str, kind: type[T], build: Callable[[], T]) -> T:
    """The object ``build`` returns for ``key``, read from the cache when it holds it.

    Args:
        name: What is cached, e.g. ``"hpo"``; starts the file's name.
        key: A digest of everything the object is built from (see ``digest``); with the
            name, it tells which entries are other versions of one object.
        kind: The type the object has; anything else read back is rebuilt.
        build: Builds the object when the cache does not hold it.
    """
    folder = cache_folder()
    family = f"{name}-{key[:16]}-"
    path = folder / f"{family}{digest(code_digest(), key)[:24]}.pickle"
    found = _read(path, kind)
    if found is not None:
        return found
    built = build()
    _write(folder, family, path, built)
    return built


def _read(path: Path, kind: type[T]) -> T | None:
    """The object in ``path`` when it is a readable pickle of a ``kind``; else None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # Unpickling creates millions of objects none of which is garbage: collecting while it
    # runs only walks them again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        found = pickle.loads(data)
    except Exception:  # a corrupt or foreign file of any kind: rebuild it
        return None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(found, kind):
        return None
    with suppress(OSError):
        os.utime(path)  # its modification time says when it was last used
    return found


def _write(folder: Path, family: str, path: Path, value: object) -> None:
    """Write ``value`` to ``path`` atomically, then drop the entries used longest ago: of its
    family (name and source) past ``KEPT_PER_SOURCE``, of the folder past ``KEPT_IN_ALL``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for pattern, kept in ((f"{family}*.pickle", KEPT_PER_SOURCE), ("*.pickle", KEPT_IN_ALL)):
            for stale in _by_last_use(folder.glob(pattern))[kept:]:
                stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        # A read-only or full disk only costs the next start the time to build again.
        return


def _by_last_use(paths: Iterable[Path]) -> list[Path]:
    """The entries, the one used last first; those that vanish meanwhile left out."""
    used: list[tuple[int, Path]] = []
    for path in paths:
        with suppress(OSError):
            used.append((path.stat().st_mtime_ns, path))
    return [path for _, path in sorted(used, reverse=True)]
