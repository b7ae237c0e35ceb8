# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test bench clean package translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
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
TS_FILES := $(wildcard pos_terminal/ui/translations/pos_terminal_*.ts)
translations: install
	$(VENV)/bin/pyside6-lupdate -locations relative -no-obsolete pos_terminal/app.py pos_terminal/ui/*.py -ts $(TS_FILES)
	$(VENV)/bin/pyside6-lrelease $(TS_FILES)

bench: install
	@ls bench/*.py | grep -v __init__ | sed 's|bench/\(.*\)\.py|  .venv/bin/python -m bench.\1|'

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# Desktop bundle with Briefcase (see briefcase.toml). Needs network access to
# Briefcase's support packages, so it is not part of `make test`.
package: install
	rm -rf build/briefcase && mkdir -p build/briefcase
	cp -r pos_terminal devices sync_server resources tests README.md LICENSE build/briefcase/
	cat pyproject.toml briefcase.toml > build/briefcase/pyproject.toml
	$(PY) -m pip install --quiet briefcase
	cd build/briefcase && ../../$(VENV)/bin/briefcase package --adhoc-sign
