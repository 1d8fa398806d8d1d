# Xinan: `make run` serves the embedded demo; `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export PORT

.PHONY: run test lint translations check-system system-deps format clean

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
	$(VENV)/bin/lint-imports --no-logo --no-cache

# What the browser tests need from Debian: Chromium (Playwright drives it; its own browser
# download does not work here) and a CJK font, or the Chinese pages render as boxes.
# Installed only when missing, and only as root; otherwise say what to install.
system-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null; \
	else echo "install Debian's chromium and fonts-noto-cjk (as root) for tests/e2e" >&2; exit 1; fi

# The tests start their own throwaway PostgreSQL cluster (installing the server if it is missing).
test: $(VENV)/.dev system-deps lint translations
	$(PY) -m devservices.postgres $(PY) -m pytest -n 2 -p no:cacheprovider

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
