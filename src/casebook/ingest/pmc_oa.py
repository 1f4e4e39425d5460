"""PMC Open Access packages: a ``.tar.gz`` of JATS articles, read member by member.

PMC's bulk packages hold thousands of ``.xml``/``.nxml`` articles (and an article package its
figures and PDF beside its ``.nxml``). The archive is read as a stream, one member at a time,
and never unpacked to disk, so a package of any size costs the memory of one article; members
that are not XML are passed over. A bad article is yielded as its error and the next one is
read; an archive that breaks part way yields its error after the articles read before the
break.
"""

from __future__ import annotations

import gzip
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.folders import require_file
from casebook.ingest.jats import parse_jats
from casebook.model import Document

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
"""The names of the packages this reader reads."""

ARTICLE_SUFFIXES = frozenset({".xml", ".nxml"})
"""The members read as JATS articles."""


def is_package(path: Path) -> bool:
    """Whether a file's name says it is a gzipped tar package."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def _is_article(member: tarfile.TarInfo) -> bool:
    name = PurePosixPath(member.name)
    # macOS metadata ("._x.nxml") and other hidden members are not articles.
    hidden = any(part.startswith(".") and part not in {".", ".."} for part in name.parts)
    return member.isfile() and name.suffix.lower() in ARTICLE_SUFFIXES and not hidden


def read_pmc_package(path: Path) -> Iterator[Document | CasebookError]:
    """Yield every JATS article of a ``.tar.gz`` package, or its error, in archive order.

    A member's ``Source.path`` is the package's path, ``/`` and the member's name; its id is
    the article's PMCID, else the member's file stem.
    """
    try:
        require_file(path)
        with tarfile.open(path, mode="r|gz") as archive:
            for member in archive:
                if not _is_article(member):
                    continue
                where = f"{path}/{member.name}"
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                try:
                    yield parse_jats(stream.read(), where, PurePosixPath(member.name).stem)
                except CasebookError as error:
                    yield error
    except CasebookError as error:
        yield error
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield CasebookError(
            ErrorCode.MALFORMED_ARCHIVE, f"not a readable .tar.gz package: {exc}", path
        )
    except OSError as exc:
        yield CasebookError(ErrorCode.PATH_NOT_FOUND, f"cannot read: {exc.strerror or exc}", path)
