# Ally: two commands do everything: `make run` and `make test`.
# Each target sets up what it needs first, so each works alone on a fresh machine.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
TOOLS     := .venv-tools
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
SPACY_DIR := build/spacy/en_ally_blank
MODEL     := models/ally.tar.gz
WIDGET_JS := widget/dist/ally-widget.js

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

TRAIN_INPUTS := config.yml domain.yml scenarios.yml $(wildcard data/*.yml) $(wildcard data/*/*.yml) \
                $(wildcard ally/nlu/*.py) $(wildcard ally/nlu/lexicons/*.yml) $(SPACY_DIR)/meta.json

.PHONY: help setup train run run-cluster load bench test validate test-stories test-unit test-fast test-server \
        test-browser test-cluster lint format typecheck evaluate safety-report countries helplines-report \
        constraints clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(TOOLS)/.installed $(SPACY_DIR)/meta.json $(WIDGET_JS) ## Create .venv (and .venv-tools), install pinned packages, build the spaCy pipeline and the widget

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip check
	@touch $@

# Tools whose dependencies clash with Rasa's pins (kubernetes-validate needs a newer jsonschema).
$(TOOLS)/.installed: requirements-tools.txt constraints-tools.txt
	@test -x $(TOOLS)/bin/python || "$$(scripts/find_python.sh)" -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade "pip==24.0"
	$(TOOLS)/bin/python -m pip install --quiet -r requirements-tools.txt -c constraints-tools.txt
	@touch $@

$(SPACY_DIR)/meta.json: scripts/build_spacy_pipeline.py data/lookups.yml data/countries.yml actions/platforms.yml $(VENV)/.installed
	$(PY) scripts/build_spacy_pipeline.py $(SPACY_DIR)

widget/node_modules/.package-lock.json: widget/package.json widget/package-lock.json
	cd widget && npm ci --no-audit --no-fund

$(WIDGET_JS): widget/node_modules/.package-lock.json widget/build.mjs $(wildcard widget/src/*.js) $(wildcard locales/*.yml)
	cd widget && npm run build

countries: $(VENV)/.installed ## Regenerate data/countries.yml from actions/helplines.yml
	$(PY) scripts/generate_country_data.py

helplines-report: $(VENV)/.installed ## Regenerate the country table and freshness report in docs/helplines.md
	$(PY) scripts/helplines_report.py

train: $(MODEL) ## Train the model (only when data, domain or config changed)

# --skip-validation: `make validate` (part of `make test`) runs Rasa's stricter check of the
# same files; repeating it here would add a minute to every training.
$(MODEL): $(TRAIN_INPUTS) | setup
	$(RASA) train --skip-validation --fixed-model-name ally --out models

run: setup $(MODEL) ## Start the action server and the Rasa server (Ctrl-C stops both)
	scripts/run.sh

run-cluster: setup $(MODEL) ## Scale-out: Redis, action server, two Rasa replicas, nginx on :5005 (Ctrl-C stops all)
	scripts/run_cluster.sh

load: setup $(MODEL) ## Load test: 200 conversations x 10 turns, one server and the cluster -> bench/load-results.json
	$(PY) bench/load_test.py --target both --conversations 200 --turns 10 --out bench/load-results.json

bench: setup $(MODEL) ## Benchmark Ally against a stock `rasa init` bot: bench/results.json, docs/performance.md
	$(PY) bench/run_bench.py

validate: setup ## Check the training data and domain for errors
	$(RASA) data validate --fail-on-warnings --max-history 5

test-stories: $(MODEL) ## Run the test stories (tests/test_stories.yml, tests/stories/<lang>.yml) through the model
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories
	$(RASA) test core --model $(MODEL) --stories tests/stories \
	  --fail-on-prediction-errors --out results/stories-languages

test-unit: setup $(MODEL) ## Run the whole pytest suite (starts real servers where needed)
	$(PY) -m pytest

test-fast: setup ## Unit tests only: no model, no server (about a minute)
	$(PY) -m pytest tests/unit tests/test_directory.py

test-server: setup $(MODEL) ## End-to-end tests over the real Rasa and action servers
	$(PY) -m pytest tests/server

test-browser: setup $(MODEL) ## The widget in a real Chromium
	$(PY) -m pytest tests/browser

test-cluster: setup $(MODEL) ## Two replicas behind nginx on a real Redis, and their faults
	$(PY) -m pytest tests/cluster

lint: setup ## ruff: lint and format check (pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup ## ruff: fix what can be fixed, format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: setup ## mypy on actions/ and ally/ (pyproject.toml)
	$(VENV)/bin/mypy

test: setup lint typecheck $(MODEL) validate test-stories test-unit ## Everything: lint, types, validation, test stories, pytest

evaluate: setup ## 5-fold NLU cross-validation; report in results/nlu-cv and docs/nlu-quality.md
	$(PY) scripts/cross_validate.py --nlu data --config config.yml --folds 5 --out results/nlu-cv
	$(PY) scripts/nlu_quality_report.py results/nlu-cv docs/nlu-quality.md

safety-report: setup $(MODEL) ## The safety net's catch and false-alarm rates through the model -> docs/safety.md
	$(PY) scripts/safety_report.py

constraints: ## Refresh constraints.txt and constraints-tools.txt from the current venvs
	$(PY) -m pip freeze --exclude-editable | sed '1i # Full resolved dependency set (pip freeze of a working .venv). Refresh: make constraints' > constraints.txt
	$(TOOLS)/bin/python -m pip freeze | sed '1i # Full resolved set of .venv-tools (pip freeze of a working one). Refresh: make constraints' > constraints-tools.txt

clean: ## Remove build outputs (keeps .venv)
	rm -rf build models results .pytest_cache widget/dist
