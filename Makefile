# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test bench clean package translations screenshots

# The three distributions of this repository, editable, plus the workspace's test group
# (pip >= 25.1 reads `[dependency-groups]`, hence the upgrade first).
DISTS := protocol terminal server
$(STAMP): pyproject.toml $(DISTS:%=%/pyproject.toml)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
		{ echo "could not create $(VENV): on Debian, apt-get install -y python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(DISTS:%=-e ./%) --group test
	touch $(STAMP)

install: $(STAMP)

# Terminal with the demo catalog, a local sync server and simulated devices.
run: install
	$(PY) -m tools.demo

# The whole suite. PostgreSQL cases run when POS_TEST_POSTGRES_URL is set (.ci/run sets it).
test: install
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# Qt translations: lupdate gathers every tr() string into the .ts files translators edit,
# lrelease compiles the .qm files the app loads (both committed). New language: add an
# empty pos_terminal_<lang>.ts with `pyside6-lupdate ... -ts` and re-run this target.
TS_FILES := $(wildcard terminal/pos_terminal/ui/translations/pos_terminal_*.ts)
translations: install
	$(VENV)/bin/pyside6-lupdate -locations relative -no-obsolete terminal/pos_terminal/app.py terminal/pos_terminal/ui/*.py -ts $(TS_FILES)
	$(VENV)/bin/pyside6-lrelease $(TS_FILES)

# Every benchmark (each bench/NAME.py that runs as a program), one after another, within
# 10 minutes; figures and ratios to each one's same-run baseline in build/bench-summary.md.
# PostgreSQL cases run when POS_TEST_POSTGRES_URL is set. One: `$(PY) -m bench NAME`.
# The till's screens as PNGs (offscreen Qt, 1024x768 and 1920x1080, English and German)
# in docs/screenshots/, to look at after a UI change.
screenshots: install
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.screenshots --out docs/screenshots

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build */build */*.egg-info

# Desktop bundle with Briefcase (see briefcase.toml). Needs network access to
# Briefcase's support packages, so it is not part of `make test`.
package: install
	rm -rf build/briefcase && mkdir -p build/briefcase
	cp -r terminal/pos_terminal terminal/devices protocol/pos_protocol README.md LICENSE build/briefcase/
	cat terminal/pyproject.toml briefcase.toml > build/briefcase/pyproject.toml
	$(PY) -m pip install --quiet briefcase
	cd build/briefcase && ../../$(VENV)/bin/briefcase package --adhoc-sign
