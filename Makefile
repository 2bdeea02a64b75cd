# Last Mile: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# benchmarks/ is linted too once it exists (a fresh checkout may not have it yet).
LINT_PATHS := lastmile_desktop tests $(wildcard benchmarks)

# The storage, service and command tests: what `make test-postgres` runs against PostgreSQL.
POSTGRES_TEST_PATHS := tests/storage tests/calling tests/campaigns tests/importing \
	tests/leaderboard tests/exporting tests/server $(wildcard tests/test_cli*.py) \
	tests/test_data_settings.py tests/test_service_access.py tests/test_demo.py \
	tests/test_first_run_check.py tests/packs tests/test_connection.py tests/ui/test_desk_offline.py

.PHONY: run test test-postgres lint typecheck pytest package screenshots example-results benchmarks clean lock

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		{ echo "Python cannot create a virtual environment: install python3-venv"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## run: set up .venv and open the app on the default local database
run: $(STAMP)
	$(BIN)/lastmile

## test: set up .venv, then ruff (lint and format), mypy --strict, and pytest with Qt offscreen
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

## test-postgres: the storage, service and command tests again, on a throwaway PostgreSQL server
## the run starts itself (needs the system's postgresql package; skipped, saying why, without it)
test-postgres: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest --backend=postgres $(POSTGRES_TEST_PATHS)

## package: build the one-folder app with PyInstaller into dist/lastmile/
package: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build.spec

## screenshots: render each main page with demo data into docs/screenshots/
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m lastmile_desktop.ui.screenshots docs/screenshots

## example-results: export the demo region to docs/example-results.xlsx, with a picture of it
example-results: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m lastmile_desktop.ui.example_results docs

## benchmarks: run every script under benchmarks/ and print its figures
benchmarks: $(STAMP)
	for script in $(wildcard benchmarks/bench_*.py); do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build dist .mypy_cache .pytest_cache .ruff_cache .import_linter_cache .grimp_cache

## lock: pin every dependency, for Windows, macOS and Linux alike, with hashes (needs `uv`)
lock:
	uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 -o requirements.lock
