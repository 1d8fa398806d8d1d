# Xinan: `make run` serves the embedded demo; `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export PORT

.PHONY: run test lint translations check-system format clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The teachers' catalogues are kept as .po; the .mo files are built, never committed.
translations: $(VENV)/.runtime
	$(VENV)/bin/pybabel compile -d translations

run: $(VENV)/.runtime translations
	$(PY) -m flask --app app db upgrade
	$(PY) -m flask --app app demo seed --if-empty
	exec $(PY) app.py </dev/null

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

# The tests start their own throwaway PostgreSQL cluster (installing the server if it is missing).
test: $(VENV)/.dev lint translations
	$(PY) -m devservices.postgres $(PY) -m pytest -n 2 -p no:cacheprovider

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
