PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := tests/fixtures/example/csf-leak-after-bone-marrow-biopsy.txt

.PHONY: setup run test lint typecheck check bench clean bench-assertion screenshots fuzz

$(BIN)/casebook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/casebook

setup: $(BIN)/casebook

run: setup
	$(BIN)/casebook analyze $(EXAMPLE)

test: setup
	$(BIN)/pytest -n 2 -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy src

check: lint typecheck test

# The page's screenshots in docs/, taken by the browser tests (which otherwise write them to a
# temporary folder); needs Debian's chromium.
screenshots: setup
	$(BIN)/pytest -q tests/integration/api/test_page_browser.py --screenshots docs

# Fuzz every reader with FUZZ_EXAMPLES inputs and the pipeline with FUZZ_PIPELINE_EXAMPLES
# (tests/fuzz; the test suite runs 40 and 8, the same ones each time). Each input runs in a
# sandbox process with a time limit and a memory cap; new inputs are drawn each run, and the
# ones that failed are kept in .hypothesis/ and tried first next time. Hours on 2 cores.
FUZZ_EXAMPLES ?= 100000
FUZZ_PIPELINE_EXAMPLES ?= 10000
fuzz: setup
	CASEBOOK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CASEBOOK_FUZZ_PIPELINE_EXAMPLES=$(FUZZ_PIPELINE_EXAMPLES) \
		$(BIN)/pytest -n 2 -q tests/fuzz --hypothesis-show-statistics --durations=0

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

# casebook vs medspaCy 1.3 default ConText on the NegEx/ConText kit. medspaCy pins spaCy < 3.8
# and numpy < 2, so it lives in its own venv, never in casebook's.
MEDSPACY_VENV ?= .venv-medspacy
NEGEX_TSV ?= ../shared/datasets/negex/context_annotations.tsv
BENCH_ARGS ?=

$(MEDSPACY_VENV)/.installed: benchmarks/requirements-medspacy.txt
	test -x $(MEDSPACY_VENV)/bin/python || $(PYTHON) -m venv $(MEDSPACY_VENV)
	$(MEDSPACY_VENV)/bin/pip install --quiet --upgrade pip
	$(MEDSPACY_VENV)/bin/pip install --quiet -r benchmarks/requirements-medspacy.txt
	touch $@

bench-assertion: setup $(MEDSPACY_VENV)/.installed
	$(BIN)/python benchmarks/assertion_vs_medspacy.py $(NEGEX_TSV) $(BENCH_ARGS)

# The held-out figures of BENCHMARKS.md, one after the other: the check halves of every
# evaluation, the E3C timeline (no model learnt from E3C) and the mention model's 5-fold
# cross-validation (scratch model in BENCH_OUT; the shipped one learnt from all of MACCROBAT, so
# eval ner on it is in-sample). Each report goes through benchmarks/held_out.py, which stops the
# run at the first in-sample one. Several hours on 2 cores.
DATA ?= ../shared/datasets
BENCH_OUT ?= build/bench
HELD_OUT = $(BIN)/python benchmarks/held_out.py
bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -c
bench: setup
	$(BIN)/casebook eval assertion $(NEGEX_TSV) --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval relations $(DATA)/maccrobat2020 --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval timeline $(DATA)/maccrobat2020 --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval summary $(DATA)/maccrobat2020 --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval timeline $(DATA)/e3c-en --split check --json --predicted | $(HELD_OUT)
	$(BIN)/casebook eval icd10 $(DATA)/codiesp-en/dev --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval icd10pcs $(DATA)/codiesp-en/dev --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval hpo $(DATA)/hpo --split check --json | $(HELD_OUT)
	$(BIN)/casebook eval retrieval $(DATA)/pmc-patients/corpus.jsonl $(DATA)/pmc-patients/qrels-dev.tsv --split check --json | $(HELD_OUT)
	$(BIN)/casebook train ner --data $(DATA) --out $(BENCH_OUT)/ner --folds 5 --workers 2
