"""Evaluation harness: score casebook's output against the gold datasets in ``CASEBOOK_DATA``.

Each ``evaluate_*`` function reads one dataset split, runs an injected system under test (by
default the service layer) and returns a pydantic report whose ``model_dump(by_alias=True)`` is
the report's JSON.
"""
