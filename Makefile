# concbench: the commands. This file only calls the dependency script, cmake,
# ctest and the scripts; everything else lives in CMake and scripts/.
#
#   make bench [QUICK=1] [FILTER=regex]   run the suite, write results/latest/
#   make test                             build with sanitizers, run every test
#   make plot IN=run.json [OUT=dir]       redraw charts and summary of a run
#   make compare A=a.json B=b.json        per-benchmark change with a U test
#   make regress [BASE=rev | BASELINE=run.json]   fail if anything got slower
#   make export IN=run.json FORMAT=bmf|gab OUT=file

PYTHON := /usr/bin/python3
BIN := build/release/benchmarks/concbench
LATEST := results/latest
JSON := $(LATEST)/concbench.json

.PHONY: deps release debug bench test plot compare regress export clean

deps:
	@scripts/deps.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j 2

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j 2

# A run in which a benchmark failed still writes its JSON: it is drawn and
# kept in the history, and then the failure is the exit status.
bench: release
	@mkdir -p $(LATEST)
	@status=0; $(BIN) $(if $(QUICK),--quick) $(if $(FILTER),--filter='$(FILTER)') --out=$(JSON) || status=$$?; \
	if [ -f $(JSON) ] && [ $$status -le 1 ]; then \
	  $(PYTHON) scripts/plot.py --in $(JSON) --out $(LATEST) && \
	  $(PYTHON) scripts/history.py append --in $(JSON) --history results/history.jsonl && \
	  echo "concbench: results in $(JSON), summary in $(LATEST)/summary.md, charts in $(LATEST)/charts/"; \
	fi; exit $$status

# The tests run on the sanitizer build; the scripts' end-to-end gate test
# runs the binary that build produced.
test: debug
	ctest --preset debug

plot: deps
	@test -n "$(IN)" || { echo "concbench: usage: make plot IN=<concbench.json> [OUT=dir]" >&2; exit 2; }
	$(PYTHON) scripts/plot.py --in $(IN) --out $(or $(OUT),$(LATEST)) --history results/history.jsonl

compare: deps
	@test -n "$(A)" -a -n "$(B)" || { echo "concbench: usage: make compare A=<a.json> B=<b.json>" >&2; exit 2; }
	$(PYTHON) scripts/compare.py $(A) $(B)

regress: deps
	$(PYTHON) scripts/regress.py $(if $(BASE),--base $(BASE)) $(if $(BASELINE),--baseline $(BASELINE))

export: deps
	@test -n "$(IN)" -a -n "$(FORMAT)" -a -n "$(OUT)" || { echo "concbench: usage: make export IN=<json> FORMAT=bmf|gab OUT=<file>" >&2; exit 2; }
	$(PYTHON) scripts/export.py --format $(FORMAT) $(IN) $(OUT)

clean:
	rm -rf build
