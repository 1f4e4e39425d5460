"""Records for brat standoff annotations (``.ann``), as used by MACCROBAT2020."""

from __future__ import annotations

from pydantic import Field

from casebook.model import RecordModel, Span


class BratEntity(RecordModel):
    """A text-bound annotation ``T…``; discontinuous ones have several fragments."""

    id: str
    type: str
    fragments: list[Span] = Field(min_length=1)
    text: str

    @property
    def start(self) -> int:
        """Start of the first fragment."""
        return min(f.start for f in self.fragments)

    @property
    def end(self) -> int:
        """End of the last fragment."""
        return max(f.end for f in self.fragments)


class BratEvent(RecordModel):
    """An event ``E…``: a type, its trigger entity and role arguments."""

    id: str
    type: str
    trigger: str
    arguments: list[tuple[str, str]] = Field(default_factory=list)


class BratAttribute(RecordModel):
    """An attribute ``A…`` (or ``M…``) such as ``POLARITY E3 NEG``."""

    id: str
    name: str
    target: str
    value: str | None = None


class BratRelation(RecordModel):
    """A binary relation ``R…`` such as ``BEFORE Arg1:E1 Arg2:E2``."""

    id: str
    type: str
    arg1: str
    arg2: str


class BratEquivalence(RecordModel):
    """An equivalence group ``*`` such as ``OVERLAP E1 E2 E3``."""

    type: str
    members: list[str]


class BratNote(RecordModel):
    """An annotator note ``#…``."""

    id: str
    target: str
    text: str


class BratAnnotations(RecordModel):
    """Everything one ``.ann`` file holds."""

    entities: list[BratEntity] = Field(default_factory=list)
    events: list[BratEvent] = Field(default_factory=list)
    attributes: list[BratAttribute] = Field(default_factory=list)
    relations: list[BratRelation] = Field(default_factory=list)
    equivalences: list[BratEquivalence] = Field(default_factory=list)
    notes: list[BratNote] = Field(default_factory=list)

    def entity(self, annotation_id: str) -> BratEntity:
        """The entity an id names, following an event id to its trigger.

        Raises:
            KeyError: When the id names no entity or event.
        """
        for event in self.events:
            if event.id == annotation_id:
                annotation_id = event.trigger
                break
        for entity in self.entities:
            if entity.id == annotation_id:
                return entity
        raise KeyError(annotation_id)

    def attribute_values(self, name: str) -> dict[str, str | None]:
        """Entity id → value of the named attribute (e.g. ``POLARITY``), events resolved."""
        values: dict[str, str | None] = {}
        for attribute in self.attributes:
            if attribute.name == name:
                try:
                    values[self.entity(attribute.target).id] = attribute.value
                except KeyError:
                    continue
        return values
