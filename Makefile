# concbench: the commands. This file only calls the dependency script, cmake,
# ctest and the scripts; everything else lives in CMake and scripts/.
#
#   make bench [QUICK=1] [FILTER=regex] [PYTHON=0] [MPI=0] [RANKS=n]
#                                         run the suite (and its MPI and CPython
#                                         rows unless MPI=0 / PYTHON=0), write
#                                         results/latest/
#   make bench-mpi HOSTFILE=file [RANKS=n] [QUICK=1] [FILTER=regex]
#                                         the MPI rows across an OpenMPI
#                                         hostfile, write results/mpi/
#   make test                             build with sanitizers, run every test
#   make tsan                             ThreadSanitizer: unit tests, smoke run
#   make plot IN=run.json [OUT=dir]       redraw charts, summary.md and report.html
#   make report IN=run.json [OUT=file]    redraw report.html only
#   make compare A=a.json B=b.json [FORCE=1] [STATUS=file]
#                                         per-benchmark change, the gate's rule
#   make regress [BASE=rev | BASELINE=run.json] [ROUNDS=n] [FILTER=regex]
#                [REPORT=json] [MARKDOWN=md] [JUNIT=xml] [OUT=dir]
#                [THRESHOLD=t] [ALPHA=a] [SENSITIVITY=s] [SUITE=quick|smoke|full]
#                [REPETITIONS=n] [FORCE=1] [STATUS=file]
#                                         fail if anything got slower
#   make export IN=run.json FORMAT=bmf|gab|gab-bigger OUT=file [SKIP_FAILED=1]
#   make gate-check [RUNS=n] [SLOWDOWN_RUNS=n] [DIR=dir] [FILTER=regex] [SLOW=regex]
#                                         calibrate the gate on real A/A runs
#   make chaos [N=200] [DIR=dir] [SUITE=quick|smoke]
#                                         random signals and kills to running
#                                         suites: hangs, leaks, lost results
#
# A script's own exit status says what went wrong (README, "Exit statuses");
# make itself exits 2 whenever a recipe fails (compare and regress keep the
# script's status in STATUS=file).

# PY runs the scripts and the CPython rows (Debian's interpreter, which sees
# the Debian packages); PYTHON=0 leaves the CPython rows out of make bench.
PY := /usr/bin/python3
PYTHON ?= 1
BIN := build/release/benchmarks/concbench
LATEST := results/latest
JSON := $(LATEST)/concbench.json
CPY_JSON := $(LATEST)/cpython.json
# The mpi model (benchmarks/mpi): built only where CMake finds MPI, run by
# scripts/mpi_run.sh with one rank per CPU unless RANKS is given: OpenMPI's
# ranks poll while they wait, so more ranks than CPUs measure the polling
# (in a full run, half the MPI rows' timed seconds went to 3 and 4 ranks).
MPI ?= 1
MPI_BIN := build/release/benchmarks/mpi/concbench_mpi
MPI_JSON := $(LATEST)/mpi.json
MPI_RANKS = $(or $(RANKS),$$(nproc))
# Quick mode gives the MPI rows 3 repetitions, as the CPython rows: its
# 60-second budget (with 10, a quick make bench took 72 s; with 5 and the
# C++ suite's 10, 60 s).
MPI_ARGS = $(if $(QUICK),--quick --repetitions=3) $(if $(FILTER),--filter='$(FILTER)')

.PHONY: deps release debug tsan bench bench-mpi test plot report compare regress gate-check chaos export clean clean-shm

deps:
	@scripts/deps.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j 2

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j 2

# A run in which a benchmark failed still writes its JSON: it is drawn and
# reported (marked failed), but kept out of the history; then one line says
# so and the recipe fails. Either side may find the failure: the binary
# (exit 1) or plot.py (exit 3: it drew a run with failures, e.g. a merged
# MPI or CPython row).
#
# The MPI rows (concbench_mpi under mpirun, where built; MPI=0 leaves them
# out) and then the CPython rows (benchmarks/cpython) run after the C++ suite
# and are merged into its JSON (scripts/merge.py); a wrong MPI or CPython
# result fails the run like a C++ one. With FILTER, the MPI rows run only
# when the filter matches one. Without concbench_mpi, the interpreter, or a
# module it lacks, those rows are skipped with one line.
bench: release
	@mkdir -p $(LATEST)
	@status=0; $(BIN) $(if $(QUICK),--quick) $(if $(FILTER),--filter='$(FILTER)') --out=$(JSON) || status=$$?; \
	if [ "$(MPI)" != 0 ] && [ -f $(JSON) ] && [ $$status -le 1 ]; then \
	  rm -f $(MPI_JSON); \
	  if [ ! -x $(MPI_BIN) ]; then \
	    echo "concbench: MPI rows skipped: concbench_mpi not built (CMake found no MPI; scripts/deps.sh installs OpenMPI)" >&2; \
	  elif [ -z "$(FILTER)" ] || scripts/mpi_run.sh $(MPI_BIN) --ranks $(MPI_RANKS) -- $(MPI_ARGS) --list >/dev/null 2>&1; then \
	    mpi=0; scripts/mpi_run.sh $(MPI_BIN) --ranks $(MPI_RANKS) -- $(MPI_ARGS) --out=$(MPI_JSON) || mpi=$$?; \
	    if [ $$mpi -gt 1 ]; then exit $$mpi; fi; \
	    if [ -f $(MPI_JSON) ]; then $(PY) scripts/merge.py --into $(JSON) --add $(MPI_JSON) || exit $$?; fi; \
	    if [ $$mpi -ne 0 ]; then status=1; fi; \
	  fi; \
	fi; \
	if [ "$(PYTHON)" != 0 ] && [ -f $(JSON) ] && [ $$status -le 1 ]; then \
	  rm -f $(CPY_JSON); \
	  if [ -x $(PY) ]; then \
	    cpy=0; $(PY) benchmarks/cpython $(if $(QUICK),--quick) $(if $(FILTER),--filter='$(FILTER)') --out=$(CPY_JSON) || cpy=$$?; \
	    if [ $$cpy -gt 1 ]; then exit $$cpy; fi; \
	    if [ -f $(CPY_JSON) ]; then $(PY) scripts/merge.py --into $(JSON) --add $(CPY_JSON) || exit $$?; fi; \
	    if [ $$cpy -ne 0 ]; then status=1; fi; \
	  else \
	    echo "concbench: CPython rows skipped: $(PY) not found" >&2; \
	  fi; \
	fi; \
	if [ -f $(JSON) ] && [ $$status -le 1 ]; then \
	  drawn=0; $(PY) scripts/plot.py --in $(JSON) --out $(LATEST) || drawn=$$?; \
	  if [ $$drawn -ne 0 ] && [ $$drawn -ne 3 ]; then exit $$drawn; fi; \
	  if [ $$drawn -eq 3 ]; then status=1; fi; \
	  if [ $$status -eq 0 ]; then \
	    $(PY) scripts/history.py append --in $(JSON) --history results/history.jsonl || exit $$?; \
	  fi; \
	  echo "concbench: results in $(JSON); read $(LATEST)/report.html (also summary.md, charts/)"; \
	  if [ $$status -ne 0 ]; then echo "concbench: make bench failed: a benchmark failed (its error is in $(JSON) and marked in the report)" >&2; fi; \
	fi; exit $$status

# The MPI rows alone, across the hosts of an OpenMPI hostfile (README,
# "MPI across hosts"); every rank's host is in the JSON's context.
bench-mpi: release
	@test -n "$(HOSTFILE)" || { echo "concbench: usage: make bench-mpi HOSTFILE=<file> [RANKS=n] [QUICK=1] [FILTER=regex]" >&2; exit 2; }
	@test -x $(MPI_BIN) || { echo "concbench: concbench_mpi not built (CMake found no MPI; scripts/deps.sh installs OpenMPI)" >&2; exit 2; }
	@mkdir -p results/mpi
	@status=0; scripts/mpi_run.sh $(MPI_BIN) --hostfile '$(HOSTFILE)' $(if $(RANKS),--ranks '$(RANKS)') \
	  -- $(MPI_ARGS) --out=results/mpi/concbench_mpi.json || status=$$?; \
	if [ -f results/mpi/concbench_mpi.json ] && [ $$status -le 1 ]; then \
	  echo "concbench: results in results/mpi/concbench_mpi.json (ranks on: $$($(PY) -c 'import json,sys; print(json.load(open(sys.argv[1]))["context"].get("mpi_hosts"))' results/mpi/concbench_mpi.json))"; \
	fi; exit $$status

# The tests run on the sanitizer build; the scripts' end-to-end gate test
# runs the binary that build produced.
test: debug
	ctest --preset debug

# The unit tests and the smoke run on a ThreadSanitizer build (build/tsan),
# oneTBB's frames suppressed (tests/tsan.supp). The test preset leaves out
# the thread-limit tests (TSan needs threads of its own) and the Python
# scripts, MPI ranks, gate, chaos and full-/dev/shm runs (make test runs
# them on the AddressSanitizer build).
tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j 2
	ctest --preset tsan

# The history is local to a machine (not committed): drawn when it exists.
plot: deps
	@test -n "$(IN)" || { echo "concbench: usage: make plot IN=<concbench.json> [OUT=dir]" >&2; exit 2; }
	@$(PY) scripts/plot.py --in '$(IN)' --out '$(or $(OUT),$(LATEST))' \
	  $(if $(wildcard results/history.jsonl),--history results/history.jsonl)

report: deps
	@test -n "$(IN)" || { echo "concbench: usage: make report IN=<concbench.json> [OUT=report.html]" >&2; exit 2; }
	@$(PY) scripts/report.py --in '$(IN)' $(if $(OUT),--out '$(OUT)')

# make exits 2 whenever a recipe fails, whatever the script's status (1
# slower, 2 bad input, 3 failed, 4 too few repetitions): STATUS=file keeps
# the script's own status in that file (also when it is 0), and make's
# "Error N" line names it too.
KEEP_STATUS = status=$$?; $(if $(STATUS),echo $$status > '$(STATUS)';) exit $$status

compare: deps
	@test -n "$(A)" -a -n "$(B)" || { echo "concbench: usage: make compare A=<a.json> B=<b.json> [FORCE=1] [STATUS=file]" >&2; exit 2; }
	@$(PY) scripts/compare.py '$(A)' '$(B)' $(if $(FORCE),--force); $(KEEP_STATUS)

# Every option of the gate passes through; BASE is any revision (default:
# the merge base with main, see scripts/regress.py).
regress: deps
	@$(PY) scripts/regress.py $(if $(BASE),--base '$(BASE)') \
	  $(if $(BASELINE),--baseline '$(BASELINE)') $(if $(ROUNDS),--rounds '$(ROUNDS)') \
	  $(if $(FILTER),--filter '$(FILTER)') $(if $(REPORT),--report '$(REPORT)') \
	  $(if $(MARKDOWN),--markdown '$(MARKDOWN)') $(if $(JUNIT),--junit '$(JUNIT)') \
	  $(if $(OUT),--out '$(OUT)') $(if $(SUITE),--suite '$(SUITE)') \
	  $(if $(REPETITIONS),--repetitions '$(REPETITIONS)') \
	  $(if $(THRESHOLD),--threshold '$(THRESHOLD)') $(if $(ALPHA),--alpha '$(ALPHA)') \
	  $(if $(SENSITIVITY),--sensitivity '$(SENSITIVITY)') $(if $(FORCE),--force); \
	  $(KEEP_STATUS)

# Real A/A runs of the gate and runs with an injected slowdown, on this
# machine, with the release binary on both sides: the measured false-alarm
# and detection rates go to DIR/report.md. Long: RUNS + SLOWDOWN_RUNS gate
# runs of the quick suite (the default 20 + 10 take a few hours).
gate-check: release
	@$(PY) scripts/gate_check.py --dir '$(or $(DIR),results/gate-check)' \
	  $(if $(RUNS),--runs '$(RUNS)') $(if $(SLOWDOWN_RUNS),--slowdown-runs '$(SLOWDOWN_RUNS)') \
	  $(if $(FILTER),--filter '$(FILTER)') $(if $(ROUNDS),--rounds '$(ROUNDS)') \
	  $(if $(SLOW),--slow '$(SLOW)')

# Not part of make test: N runs, each of one workload, each sent a random
# signal or kill; the report (DIR/report.json) counts hangs, lost runs,
# leftover processes and leaked objects, and the exit status is 1 if any.
chaos: release
	@$(PY) scripts/chaos.py --iterations '$(or $(N),200)' \
	  --dir '$(or $(DIR),results/chaos)' $(if $(SUITE),--suite '$(SUITE)')

export: deps
	@test -n "$(IN)" -a -n "$(FORMAT)" -a -n "$(OUT)" || { echo "concbench: usage: make export IN=<json> FORMAT=bmf|gab|gab-bigger OUT=<file> [SKIP_FAILED=1]" >&2; exit 2; }
	@$(PY) scripts/export.py --format '$(FORMAT)' $(if $(SKIP_FAILED),--skip-failed) '$(IN)' '$(OUT)'

# Removes the segments, semaphores and sockets that killed runs left (every
# run also does at start) and lists them.
clean-shm: release
	@build/release/benchmarks/concbench --clean-shm

clean:
	rm -rf build
