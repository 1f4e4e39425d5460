"""The inventory of acronym senses, rebuilt from a small corpus of case reports."""

from __future__ import annotations

import json
from pathlib import Path

from casebook.nlp.acronym_senses import build, main


def test_definitions_in_another_sense_make_an_acronym_ambiguous(tmp_path: Path) -> None:
    texts = [
        "A thrombus lay in the right atrium (RA). It was removed.",
        "The right atrial (RA) pressure was high.",
        "She had rheumatoid arthritis (RA) for years.",
        "He had acute kidney injury (AKI). It resolved.",
        "Acute-kidney injuries (AKIs) were seen.",
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"title": "", "text": text}) + "\n" for text in texts), encoding="utf-8"
    )
    senses = build(corpus)
    entries = {entry.short: entry for entry in senses.entries}
    assert (entries["RA"].definitions, entries["RA"].own) == (3, 1)
    assert (entries["AKI"].definitions, entries["AKI"].own) == (2, 2)
    ambiguous = senses.ambiguous()
    assert "RA" in ambiguous and "AKI" not in ambiguous
    # Defined fewer than twice, an acronym's senses in case reports are unknown.
    assert (entries["HCM"].definitions, "HCM" in ambiguous) == (0, True)
    assert senses.ambiguous()["RA"][0] == "rheumatoid arthritis"
    out = tmp_path / "senses.json"
    assert main([str(corpus), str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == senses.model_dump(mode="json")
