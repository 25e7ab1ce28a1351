# The two set-up commands are `make run` and `make test`; the rest are their parts.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock contracts/pyproject.toml services/*/pyproject.toml cli/pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=
DOMAIN := services/monitoring/src/monitoring/core/domain
COMPILED := .local/mypyc/compiled.stamp
# A day to run the tests on (YYYY-MM-DD, or MM-DD for the next one): scripts/on-date.sh
TEST_DATE ?=
ON_DATE = $(if $(TEST_DATE),bash scripts/on-date.sh $(TEST_DATE))

.PHONY: faults run test test-inline up down infra infra-test stop-infra packages lint test-dates format schemas lock venv compile pure clean help
.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# Bytecode is compiled ahead (the dependencies at install, our sources on every target), so a
# machine with PYTHONDONTWRITEBYTECODE set does not compile every module at every process start
venv: $(STAMP) $(COMPILED)  ## Create .venv with every pinned dependency (requirements-dev.lock), monitoring's domain compiled
	@$(PY) -m compileall -q -j 0 contracts/src services/*/src cli/src scripts bench tests/support >/dev/null
$(STAMP): requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8
	@$(UV) pip sync -q --compile-bytecode --python $(PY) requirements-dev.lock
	@rm -f $(VENV)/.installed-* && touch $@

# Monitoring's domain compiled with mypyc (scripts/compile_domain.py), again whenever one of
# its sources changed; `make pure` runs the sources instead (until the next make)
compile: $(COMPILED)  ## Compile monitoring's domain to extension modules (mypyc), if its sources changed
$(COMPILED): $(wildcard $(DOMAIN)/*.py) scripts/compile_domain.py pyproject.toml requirements-dev.lock | $(STAMP)
	@bash scripts/debian-packages.sh gcc
	@$(PY) scripts/compile_domain.py
	@touch $@

pure:  ## Remove the compiled domain: monitoring runs its sources (until the next make)
	rm -f $(DOMAIN)/*.so $(DOMAIN)/compiled.json $(COMPILED)

# requirements.lock: what the image installs (--require-hashes), without the platform's own
# packages; requirements-dev.lock: everything else too, at the same versions
PLATFORM_PACKAGES := pact-contracts pact-common pact-registry pact-commitments pact-monitoring pact-portal
lock:  ## Re-pin requirements.lock and requirements-dev.lock, with hashes, from their .in files
	$(UV) pip compile -q --generate-hashes requirements.in -o requirements.lock --python-version 3.11 \
	  $(foreach p,$(PLATFORM_PACKAGES),--no-emit-package $(p))
	$(UV) pip compile -q --generate-hashes requirements-dev.in -o requirements-dev.lock --python-version 3.11

infra: venv  ## Start MongoDB (replica set) and Kafka (Tansu, persisted to disk)
	@PYTHON=$(PY) bash scripts/mongo.sh start
	@PYTHON=$(PY) KAFKA_STORAGE=$${KAFKA_STORAGE:-disk} bash scripts/kafka.sh start

infra-test: venv  ## Start MongoDB and Kafka for tests (Kafka in memory) unless running
	@PYTHON=$(PY) bash scripts/mongo.sh start
	@PYTHON=$(PY) KAFKA_STORAGE=$${KAFKA_STORAGE:-memory} bash scripts/kafka.sh start

stop-infra:  ## Stop Kafka and MongoDB (and the benchmark's, if a run was cut short)
	@PYTHON=$(PY) bash scripts/kafka.sh stop
	@PYTHON=$(PY) bash scripts/mongo.sh stop
	@PYTHON=$(PY) $(BENCH_KAFKA) bash scripts/kafka.sh stop >/dev/null
	@PYTHON=$(PY) $(BENCH_MONGO) bash scripts/mongo.sh stop >/dev/null

packages:  ## Debian packages the tests run (chromium, node, openssl, faketime), if missing
	@bash scripts/debian-packages.sh

lint: venv  ## ruff, mypy (strict; also on bench/ and tests/support/) and the layering contracts (.importlinter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy contracts/src services/*/src cli/src bench tests/support
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

schemas: venv  ## Regenerate contracts/schemas from the models
	rm -rf contracts/schemas && $(PY) -m pact_contracts.schemas write contracts/schemas >/dev/null

#: the suite's workers (pytest-xdist): each takes a whole test file at a time, so a file's
#: module fixtures (a running stack) are made once; most tests wait on services, so two
#: workers on two cores take about 10 minutes where one takes about 17
TEST_WORKERS ?= 2
test: venv packages infra-test lint  ## Install, start infrastructure, lint, run the whole suite
	$(ON_DATE) $(PY) -m pytest -m "not crash and not campaign" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

FAULTS_ARGS ?=
faults: venv packages infra-test  ## The fault campaign at 20,000 reports over 200 commitments, the hostile corpus, and schemathesis randomized and deeper (about 20 minutes: 3 of them the campaign)
	PACT_FAULTS_REPORTS=20000 PACT_FAULTS_COMMITMENTS=200 $(PY) -m pytest tests/faults -s $(FAULTS_ARGS)
	PACT_FUZZ_RANDOM=1 PACT_FUZZ_EXAMPLES=200 PACT_FUZZ_SEQUENCES=50 $(PY) -m pytest tests/security/test_openapi_fuzz.py

test-dates: venv packages infra-test  ## The suite but the fault campaign, with today 1 January, then 31 December
	bash scripts/on-date.sh 01-01 $(PY) -m pytest -m "not faults" $(PYTEST_ARGS)
	bash scripts/on-date.sh 12-31 $(PY) -m pytest -m "not faults" $(PYTEST_ARGS)

test-inline: venv packages infra-test  ## The suite as make test runs it, with the views kept inline (MONITORING_VIEWS_APART=0; no keeper)
	MONITORING_VIEWS_APART=0 $(ON_DATE) $(PY) -m pytest -m "not crash and not campaign" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

up: venv infra  ## Start infrastructure and every service in the background
	@PYTHON=$(PY) bash scripts/stack.sh up

down:  ## Stop every service and the infrastructure
	@PYTHON=$(PY) bash scripts/stack.sh down
	@$(MAKE) --no-print-directory stop-infra

run: venv infra  ## Everything, then the demo (a fresh demo world each time); Ctrl-C stops it all
	@PYTHON=$(PY) bash scripts/stack.sh run

.PHONY: bench
BENCH_KAFKA := KAFKA_HOME=.local/kafka-bench KAFKA_PORT=9192 KAFKA_STORAGE=memory
#: a mongod of its own too, sized as a database server is (MongoDB's default cache, half the
#: memory less 1 GB), not as the development one (0.25 GB): with that small a cache, ten-year
#: heads rewritten every batch kept WiredTiger evicting and reading back hundreds of MB
BENCH_MONGO := MONGO_HOME=.local/mongo-bench MONGO_PORT=27018 MONGO_CACHE_GB=default MONGO_OPLOG_MB=default
BENCH_ARGS ?=
bench: venv  ## Benchmark monitoring on a Kafka (memory, :9192) and a mongod (:27018) of its own; table + bench/results/; BENCH_ARGS=--quick: about ten minutes
	@PYTHON=$(PY) $(BENCH_MONGO) bash scripts/mongo.sh start
	@PYTHON=$(PY) $(BENCH_KAFKA) bash scripts/kafka.sh start
	@$(PY) -m bench.monitoring_perf --bootstrap 127.0.0.1:9192 \
	  --mongo-url "mongodb://127.0.0.1:27018/?replicaSet=rs0" $(BENCH_ARGS); status=$$?; \
	  PYTHON=$(PY) $(BENCH_KAFKA) bash scripts/kafka.sh stop >/dev/null; \
	  PYTHON=$(PY) $(BENCH_MONGO) bash scripts/mongo.sh stop >/dev/null; exit $$status

clean: down  ## Remove local data and the environment
	rm -rf .local $(VENV)
