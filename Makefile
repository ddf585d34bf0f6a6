# Two entry points for a fresh machine: `make run` (the app) and `make test` (the tests).
# Both create .venv, install the fully pinned requirements.lock and the system packages
# the project needs (a CJK font for annotations; Chromium for the browser tests).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install system-deps browser-deps clean

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	# --no-deps: mediapipe's declared dependencies pull jax and a GUI OpenCV build;
	# the lock file already lists every package the project needs, pinned.
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP) system-deps

system-deps:
	@scripts/install_system_deps.sh fonts

browser-deps:
	@scripts/install_system_deps.sh browser

run: install
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.headless true \
		--browser.gatherUsageStats false

test: install browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf $(VENV)
