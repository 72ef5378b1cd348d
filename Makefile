# Every target creates the virtualenv itself when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install up test test-unit test-integration lint data-check interop bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the whole network: managed Apache Kafka + topics + every agent (Ctrl-C stops).
up: $(STAMP)
	$(BIN)/mare up

## The whole test suite: unit tests, then integration tests on a real Kafka
## (MARE_KAFKA_VERSION, default 4.4.0; or MARE_KAFKA_BOOTSTRAP for an existing cluster).
test: $(STAMP)
	$(BIN)/pytest -m unit -q
	$(BIN)/pytest -m integration -q

test-unit: $(STAMP)
	$(BIN)/pytest -m unit -q

test-integration: $(STAMP)
	$(BIN)/pytest -m integration -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Shipped data, schemas, test vectors and docs are exactly what their scripts generate.
data-check: $(STAMP)
	$(BIN)/python scripts/build_crosswalk.py --check
	$(BIN)/python scripts/generate_schemas.py --check
	$(BIN)/python scripts/make_vectors.py --check
	$(BIN)/python scripts/generate_asyncapi.py --check

## The test vectors decoded and re-encoded by Apache Avro for Java (byte for byte).
interop: $(STAMP)
	bash scripts/java_interop.sh

## Benchmarks: figures printed side by side with their plain baselines, never asserted.
bench: $(STAMP)
	$(BIN)/python bench/codec.py
	$(BIN)/python bench/decisions.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/partitions.py
	$(BIN)/python bench/transactions.py

clean:
	rm -rf $(VENV) .mare .pytest_cache .mypy_cache .ruff_cache
