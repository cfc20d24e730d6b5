# The two commands the README promises. Both set up what they need first.
PYTHON ?= python3

.PHONY: criteria test lint bench

criteria:  ## set up, run the criteria notebook headlessly, write reports/criteria.{json,html}
	bash scripts/setup.sh
	bash scripts/run_criteria.sh

test:  ## set up, then lint, type-check and run the whole test suite
	bash scripts/setup.sh --test
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy
	$(PYTHON) -m pytest -n 2

lint:
	$(PYTHON) -m ruff check . && $(PYTHON) -m ruff format --check . && $(PYTHON) -m mypy

bench:  ## speed figures (printed, not asserted)
	$(PYTHON) benchmarks/bench_legacy.py
	$(PYTHON) benchmarks/bench_standard.py
	$(PYTHON) benchmarks/bench_triage.py

.PHONY: colab release-check

colab:  ## simulate Colab: a fresh venv with Colab's pins, every notebook alone in an empty folder
	$(PYTHON) scripts/colab_sim.py

release-check:  ## build the sdist and the wheel and check them (twine check, the files they carry)
	$(PYTHON) scripts/release_check.py
