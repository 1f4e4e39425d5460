"""Pass a ``casebook eval --json`` report through, and fail when it is in-sample.

``make bench`` pipes every evaluation through this, so that it reports held-out figures only:
a report whose ``in_sample`` is true (a model it ran was trained on scored documents) stops it.

    casebook eval hpo ../shared/datasets/hpo --split check --json | python benchmarks/held_out.py
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    report = json.load(sys.stdin)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    if report.get("in_sample", True):
        sys.stderr.write("not a held-out score (in_sample is true or missing): stopped\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
