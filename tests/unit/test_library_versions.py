"""The library internals casebook replaces for speed are those of the versions it was checked on.

``casebook.inference_layers`` reads thinc's Maxout weights in their ``nO × nP × nI`` layout and
repeats LayerNorm's epsilon; ``casebook.blas`` overrides ``NumpyOps.gemm``. A thinc release may
change any of these without changing its API. When this test fails after an upgrade, check both
modules against the new thinc (their tests compare the outputs with thinc's own layers), then
move the pin.
"""

from __future__ import annotations

from importlib.metadata import version

CHECKED: dict[str, tuple[int, int]] = {"thinc": (8, 3)}
"""Library → the major and minor version ``inference_layers`` and ``blas`` were checked on
(thinc 8.3.14)."""


def _major_minor(package: str) -> tuple[int, int]:
    major, minor = version(package).split(".")[:2]
    return int(major), int(minor)


def test_thinc_is_the_release_the_overridden_internals_were_checked_on() -> None:
    for package, checked in CHECKED.items():
        assert _major_minor(package) == checked, (
            f"{package} {version(package)}: casebook.inference_layers and casebook.blas were "
            f"checked on {package} {checked[0]}.{checked[1]}"
        )
