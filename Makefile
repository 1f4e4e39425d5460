PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := ../shared/examples/csf-leak-after-bone-marrow-biopsy.txt

.PHONY: setup run test lint typecheck check bench clean bench-assertion

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

# Every dev-split benchmark of BENCHMARKS.md, one after the other (about an hour on 2 cores).
DATA ?= ../shared/datasets
bench: setup
	$(BIN)/casebook eval ner $(DATA)/maccrobat2020 --json
	$(BIN)/casebook eval assertion $(NEGEX_TSV) --json
	$(BIN)/casebook eval icd10 $(DATA)/codiesp-en/dev --json
	$(BIN)/casebook eval icd10pcs $(DATA)/codiesp-en/dev --json
	$(BIN)/casebook eval hpo $(DATA)/hpo --json
	$(BIN)/casebook eval relations $(DATA)/maccrobat2020 --json
	$(BIN)/casebook eval summary $(DATA)/maccrobat2020 --json --split check
	$(BIN)/casebook eval timeline $(DATA)/maccrobat2020 --json --predicted
	$(BIN)/casebook eval timeline $(DATA)/e3c-en --json --predicted
	$(BIN)/casebook eval retrieval $(DATA)/pmc-patients/corpus.jsonl $(DATA)/pmc-patients/qrels-dev.tsv --json
