"""E3C reader: UIMA CAS XMI files of the E3C corpus (Magnini et al. 2020), English layer 1.

Each file holds the document text (the ``cas:Sofa``'s ``sofaString``) and stand-off
annotations pointing into it: ``custom:EVENT`` (clinical events, with polarity and their
relation to the document time), ``custom:TIMEX3`` (time expressions with normalised values)
and temporal links. An EVENT's ``TLINK`` attribute lists ``custom:EVENTTLINKLink`` elements,
each giving a ``role`` (BEFORE, CONTAINS, OVERLAP, SIMULTANEOUS, BEGINS-ON, ENDS-ON) and the
``target`` annotation; a TIMEX3's ``timexLink`` lists ``custom:TIMEX3TimexLinkLink`` elements
the same way. The XML is parsed with defusedxml (no entities, no external fetches).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from pydantic import Field

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.text import read_bytes_of
from casebook.model import Document, RecordModel, Source, SourceFormat, Span

XMI = "http://www.omg.org/XMI"
CAS = "http:///uima/cas.ecore"
CUSTOM = "http:///webanno/custom.ecore"


class E3CSpan(Span):
    """An EVENT or TIMEX3 annotation, by its XMI id."""

    id: str
    attributes: dict[str, str] = Field(
        default_factory=dict, description="Its other XMI attributes (polarity, value …)."
    )


class E3CLink(RecordModel):
    """A temporal link: ``source`` *type* ``target`` (e.g. BEFORE), by XMI ids."""

    type: str
    source: str
    target: str


class E3CAnnotations(RecordModel):
    """The events, time expressions and temporal links of one E3C document."""

    events: list[E3CSpan] = Field(default_factory=list)
    timexes: list[E3CSpan] = Field(default_factory=list)
    links: list[E3CLink] = Field(default_factory=list)


def _span(element: Element, text: str, path: Path) -> E3CSpan:
    attributes = {k: v for k, v in element.attrib.items() if "}" not in k}
    try:
        start, end = int(attributes.pop("begin")), int(attributes.pop("end"))
    except (KeyError, ValueError) as exc:
        raise CasebookError(
            ErrorCode.MALFORMED_DATASET, f"annotation without begin/end: {exc}", path
        ) from exc
    annotation_id = element.get(f"{{{XMI}}}id", "")
    if not 0 <= start <= end <= len(text):
        raise CasebookError(
            ErrorCode.ANNOTATION_MISMATCH,
            f"annotation {annotation_id} at {start}–{end} is outside the text",
            path,
        )
    attributes.pop("sofa", None)
    return E3CSpan(id=annotation_id, start=start, end=end, attributes=attributes)


def read_e3c(path: Path) -> tuple[Document, E3CAnnotations]:
    """Read one E3C XMI file: the document and its temporal annotations.

    The document id is the file's stem.

    Raises:
        CasebookError: ``CB-E001`` for a missing file, ``CB-E005`` for XML that is not well
            formed or unsafe, ``CB-E011`` for a file without the E3C text, and ``CB-E006`` for
            an annotation outside the text.
    """
    data = read_bytes_of(path)
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise CasebookError(ErrorCode.MALFORMED_XML, str(exc), path) from exc
    except LookupError as exc:
        raise CasebookError(
            ErrorCode.MALFORMED_XML, "the XML declaration names an unknown encoding", path
        ) from exc
    sofa = root.find(f"{{{CAS}}}Sofa")
    if sofa is None or sofa.get("sofaString") is None:
        raise CasebookError(ErrorCode.MALFORMED_DATASET, "no cas:Sofa with the text", path)
    text = sofa.get("sofaString", "")
    annotations = E3CAnnotations()
    link_roles: dict[str, tuple[str, str]] = {}
    for tag in ("EVENTTLINKLink", "TIMEX3TimexLinkLink"):
        for element in root.iter(f"{{{CUSTOM}}}{tag}"):
            link_id = element.get(f"{{{XMI}}}id", "")
            link_roles[link_id] = (element.get("role", ""), element.get("target", ""))
    for tag, kept, link_attribute in (
        ("EVENT", annotations.events, "TLINK"),
        ("TIMEX3", annotations.timexes, "timexLink"),
    ):
        for element in root.iter(f"{{{CUSTOM}}}{tag}"):
            span = _span(element, text, path)
            kept.append(span)
            for link_id in span.attributes.pop(link_attribute, "").split():
                role, target = link_roles.get(link_id, ("", ""))
                if role and target:
                    annotations.links.append(E3CLink(type=role, source=span.id, target=target))
    document = Document(
        id=path.stem, text=text, source=Source(format=SourceFormat.E3C_XMI, path=str(path))
    )
    return document, annotations
