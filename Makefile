# mxray - build, run, test.  See README.md.
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
# CFLAGS/LDFLAGS from the command line add to these, never replace them
MXCFLAGS = $(OPT) -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Idissectors -Ianalyzer $(CFLAGS)
MXLDFLAGS = $(LDFLAGS)
LDLIBS  += -lnids -lpcap -ljansson -lm
ifeq ($(SAN),1)
OPT      = -O1 -g -fno-omit-frame-pointer
MXCFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined
MXLDFLAGS += -fsanitize=address,undefined
endif

DISSECT_SRC := $(wildcard dissectors/*.c)
ANALYZ_SRC  := $(wildcard analyzer/*/*.c)
LIB_OBJ     := $(patsubst %.c,$(BUILD)/%.o,$(DISSECT_SRC) $(ANALYZ_SRC))
TEST_SRC    := tests/kit.c $(wildcard tests/test_*.c)
TEST_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
BIN         := $(if $(filter build,$(BUILD)),mxray,$(BUILD)/mxray)
TESTBIN     := $(BUILD)/unit-tests
SAMPLES     := $(sort $(wildcard samples/*.pcap))

.PHONY: all deps run test check unit golden asan clean samples bench lab fuzz fuzz-smoke \
	install uninstall
all: $(BIN) mxray.1

# the man page beside the binary, so that `man ./mxray.1` reads it
mxray.1: docs/mxray.1
	cp docs/mxray.1 $@

deps:
	@./scripts/deps.sh

$(BUILD)/%.o: %.c $(wildcard dissectors/*.h dissectors/*.def analyzer/*/*.h analyzer/*/*.def tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(MXCFLAGS) -c -o $@ $<

$(BIN): $(BUILD)/analyzer/main.o $(LIB_OBJ)
	$(CC) $(MXLDFLAGS) -o $@ $^ $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(MXLDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

# make install / make uninstall: PREFIX (default /usr/local) and DESTDIR as
# usual; the man page is installed gzip -9n, as Debian installs them.
PREFIX  ?= /usr/local
BINDIR   = $(DESTDIR)$(PREFIX)/bin
MAN1DIR  = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR  = $(DESTDIR)$(PREFIX)/share/bash-completion/completions

install: $(BIN)
	install -d "$(BINDIR)" "$(MAN1DIR)" "$(COMPDIR)"
	install -m 755 $(BIN) "$(BINDIR)/mxray"
	gzip -9n -c docs/mxray.1 >"$(MAN1DIR)/mxray.1.gz"
	chmod 644 "$(MAN1DIR)/mxray.1.gz"
	install -m 644 docs/completion/mxray "$(COMPDIR)/mxray"

uninstall:
	rm -f "$(BINDIR)/mxray" "$(MAN1DIR)/mxray.1.gz" "$(COMPDIR)/mxray"

# make run: set up, build, analyse every bundled sample.
run: deps
	@$(MAKE) --no-print-directory all
	@for f in $(SAMPLES); do echo "### $$f"; ./$(BIN) -r $$f || exit 1; done

# make test: set up, build, run every test; then all of it again on the
# ASan + UBSan build; then a short libFuzzer smoke of each target plus
# every regression input under tests/fuzz/regress/.
test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 check
	@$(MAKE) --no-print-directory fuzz-smoke

check: $(BIN) $(TESTBIN)
	python3 scripts/check_layers.py
	./scripts/run-unit.sh ./$(TESTBIN)
	./scripts/run-golden.sh ./$(BIN)
	python3 scripts/check-schema.py --mxray ./$(BIN)
	$(if $(filter 1,$(SAN)),,python3 scripts/check-pcapout.py --mxray ./$(BIN))
	./scripts/run-bad-input.sh ./$(BIN)
	./scripts/test-install.sh ./$(BIN)
	$(if $(filter 1,$(SAN)),,./scripts/test-html.sh ./$(BIN))
	$(if $(filter 1,$(SAN)),,./scripts/run-valgrind.sh ./$(BIN))
	$(if $(filter 1,$(SAN)),,python3 scripts/hostile.py --mxray ./$(BIN))
	$(if $(filter 1,$(SAN)),,python3 scripts/hostile.py --mxray ./$(BIN) --formats text --mxray-args "-w /dev/null")
	$(if $(filter 1,$(SAN)),,python3 scripts/scale_check.py --mxray ./$(BIN))
	timeout 60 ./scripts/test-live.sh ./$(BIN)
	python3 scripts/lab/verify.py --mxray ./$(BIN)

unit: $(TESTBIN)
	./$(TESTBIN)

# Regenerate the golden expected files (review the diff before committing).
golden: $(BIN)
	./scripts/run-golden.sh ./$(BIN) --update

# ASan + UBSan build of the tool and the tests; the whole suite runs on it.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 check

# Rebuild the generated samples (deterministic; see samples/README.md).
samples:
	python3 scripts/gen_samples.py samples

# Throughput figures on a large generated capture (prints, asserts nothing).
bench: $(BIN)
	python3 scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf build mxray mxray.1

# Real captures (root, not part of make test): samples/lab/*.pcap, see scripts/lab/README.md
lab: deps
	scripts/lab/run.sh

# libFuzzer targets (clang-14), see tests/fuzz/README.md: build/fuzz/fuzz_*,
# each run FUZZ_SECONDS (default 600) from the samples' seeds; final stats.
fuzz:
	./scripts/fuzz.sh run $(FUZZ_SECONDS)

# CI smoke: each of the five targets 15 s, then every input under
# tests/fuzz/regress/.
fuzz-smoke:
	./scripts/fuzz.sh smoke
