"""The content hash that decides whether a stored case is current."""

from __future__ import annotations

import hashlib

from casebook.model import Case, Document
from casebook.pipeline_fingerprint import pipeline_fingerprint


def content_hash(document: Document | Case) -> str:
    """A hash of what a case is analysed from and with: the text, its format, and the pipeline
    fingerprint.

    The case store compares it to decide whether a document was already added unchanged. A
    document hashes with this casebook's pipeline fingerprint, a case with the one it records
    (none when it records none), so that ``add`` analyses again a stored case that another
    casebook, a retrained model or edited rules made: they may read the same text differently.
    """
    if isinstance(document, Case):
        return hash_text(document, document.pipeline or "")
    return hash_text(document, pipeline_fingerprint())


def hash_text(document: Document | Case, prefix: str) -> str:
    digest = hashlib.sha256()
    digest.update(prefix.encode("utf-8"))
    # A separator no fingerprint or format name contains, so that they cannot run together.
    digest.update(b"\0")
    digest.update(document.source.format.value.encode("utf-8"))
    digest.update(b"\0")
    digest.update(document.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
