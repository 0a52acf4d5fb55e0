# mlsmig: conformance suite and reference simulator for MLS group migration.
#
#   make run      the main job (installs missing packages first)
#   make check    every Check suite (installs missing packages first)
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make install PREFIX=/usr/local DESTDIR=   (LIBDIR, MANDIR, ... below)
#   make deb      a Debian package (debian/) with dpkg-buildpackage, checked by lintian
#   make vectors  regenerate the published vectors (vectors/*.json)
#   make vectors-check  fail if the committed vectors differ from a regeneration
#   make model    the SPIN model of model/ (GAP-1 found in draft-05, none with the amendment)
#
# Packages come from Debian; `make deps` installs what is missing with
# apt-get (as root, or through sudo) or names the exact command to run.

CC        ?= cc
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
DOCDIR    ?= $(DATADIR)/doc/mlsmig
VECTORDIR ?= $(DATADIR)/mlsmig/vectors
VERSION   := 0.1.0
PROFILE_VERSION := 1

DEB_PKGS  := build-essential pkg-config libssl-dev libjansson-dev check lcov python3-cryptography \
             libxml2-utils groff-base python3-yaml
PC_PKGS   := openssl jansson check

ifeq ($(SANITIZE),1)
BUILD     := build/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT       := -O1 -g
else
BUILD     := build
SAN_FLAGS :=
OPT       := -O2 -g
endif

ifeq ($(COVERAGE),1)
BUILD     := build/cov
OPT       := -O0 -g --coverage
endif

# `make fuzz` builds the library again with clang and libFuzzer's
# instrumentation (fuzz/README.md).
FUZZ_CC   ?= clang-14
ifeq ($(FUZZ),1)
BUILD     := build/fuzz
CC        := $(FUZZ_CC)
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
OPT       := -O1 -g
endif
# The same with signatures replaced by hash tags (sim/crypto/crypto.c,
# MM_FUZZ_CHEAP_SIGNATURES): only for `make fuzz-ds-cheap`.
ifeq ($(FUZZ_CHEAP),1)
BUILD     := build/fuzz-cheap
CC        := $(FUZZ_CC)
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined -DMM_FUZZ_CHEAP_SIGNATURES
OPT       := -O1 -g
endif

# Evaluated lazily, so that `deps` can install pkg-config files first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PC_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PC_PKGS) 2>/dev/null)

CFLAGS_ALL = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -D_POSIX_C_SOURCE=200809L -DMM_VERSION='"$(VERSION)"' \
             -DMM_PROFILE_VERSION='"$(PROFILE_VERSION)"' \
             -Iinclude -Isim -I$(BUILD)/gen $(OPT) $(SAN_FLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SAN_FLAGS) $(OPT) $(LDFLAGS)

# The library is every .c under sim/ but the two programs' own folders
# (sim/cli/, and sim/refds/main.c for build/mlsmig-ref-ds).
REF_DS_SRCS := sim/refds/main.c
LIB_SRCS  := $(filter-out sim/cli/% $(REF_DS_SRCS),$(sort $(shell find sim -name '*.c')))
CLI_SRCS  := $(sort $(wildcard sim/cli/*.c))
TEST_SRCS := $(sort $(wildcard suites/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
# Fuzz targets: one fuzz/fuzz_NAME.c each; add a target with one line here.
FUZZ_TARGETS := \
  decode \
  envelope \
  migration_error \
  mls_message \
  commit_aad \
  group_state \
  roundtrip \
  msg_json \
  vectors_json \
  ds \
  shim \
  client \
  scenario \
  mls_codec \
  mls_tree \
  mls_state \
  mls_bundle
# check_all replays fuzz/corpus and fuzz/regressions through the same code
# (suites/test_regressions.c), compiled without libFuzzer's entry point.
FUZZ_OBJS := $(FUZZ_TARGETS:%=$(BUILD)/obj/fuzz/fuzz_%.o)
TEST_OBJS += $(FUZZ_OBJS)
# Every suites/test_NAME.c defines `Suite *suite_NAME(void)`.
SUITE_NAMES := $(patsubst suites/test_%.c,%,$(wildcard suites/test_*.c))

LIB       := $(BUILD)/libmlsmig.a
CLI       := $(BUILD)/mlsmig
CHECK_BIN := $(BUILD)/check_all

VECTOR_FILES := $(sort $(wildcard vectors/external/mlswg/*.json) $(wildcard vectors/*.json))

.PHONY: all run check deps clean install uninstall _install programs _programs _run _check _all \
        coverage _coverage vectors _vectors vectors-check _vectors_check bench _bench report-check \
        deb _deb

all: deps
	@$(MAKE) --no-print-directory _all

_all: $(CLI) $(LIB) $(CHECK_BIN)

# What `make install` and the Debian package ship, without the test suites.
programs: deps
	@$(MAKE) --no-print-directory _programs

_programs: $(CLI) $(LIB)

run: deps
	@$(MAKE) --no-print-directory _run

_run: $(CLI)
	@echo "== mlsmig $(VERSION): verifying shipped vectors"
	@$(CLI) vectors verify $(VECTOR_FILES)
	@echo "== happy-path migration in the simulator, every ciphersuite"
	@mkdir -p reports
	@$(CLI) sim --scenario happy --suite all > reports/happy.txt; rc=$$?; \
	  grep -E '^(== suite|outcome|[0-9]+ passed)' reports/happy.txt; \
	  echo "(every envelope of every run: reports/happy.txt)"; [ $$rc = 0 ] || exit $$rc
	@echo "== simulator: a short fault campaign and a one-fault exploration, for the report"
	@$(CLI) sim --campaign 200 --json > reports/sim-campaign.json
	@$(CLI) sim --explore --max-faults 1 --suite 1 --json > reports/sim-explore.json
	@echo "== fault exploration of a DS behind the shim (the reference DS), K=1, suite 1, both roles"
	@for r in source target; do \
	  $(CLI) sim --iut $(REF_DS) --role $$r --explore --max-faults 1 --suite 1 > reports/sim-iut-$$r.txt \
	    || { cat reports/sim-iut-$$r.txt; exit 1; }; \
	  grep -E '^(explore|iut) ' reports/sim-iut-$$r.txt; \
	  $(CLI) sim --iut $(REF_DS) --role $$r --explore --max-faults 1 --suite 1 --json \
	    > reports/sim-iut-$$r.json || exit 1; \
	done
	@echo "== conformance run: the reference DS through the shim protocol, both roles"
	@$(CLI) run --iut $(REF_DS) --role both --junit reports/junit.xml --json reports/results.json \
	  --tap reports/results.tap --html reports \
	  --sim reports/sim-campaign.json --sim reports/sim-explore.json \
	  --sim reports/sim-iut-source.json --sim reports/sim-iut-target.json
	@echo "(reports/index.html to read; reports/junit.xml, results.json, results.tap for machines)"

# The HTML report in a real browser (headless Debian chromium, installed
# when missing): the summary numbers must appear as rendered text, and a
# screenshot goes to reports/screenshot.png. Runs `make run` first when
# reports/index.html is missing.
report-check: deps
	@fuzz/apt-install.sh chromium:chromium
	@[ -f reports/index.html ] || $(MAKE) --no-print-directory _run
	@suites/report-check.sh reports

check: deps
	@$(MAKE) --no-print-directory _check

_check: $(CHECK_BIN) $(CLI)
	@python3 suites/check_layers.py && python3 suites/check_layers.py --self-test
	@python3 suites/check_docs.py
	@python3 suites/check_actor_doc.py && python3 suites/check_actor_doc.py --self-test
	@MLSMIG_CLI=$(CLI) $(CHECK_BIN)

# The published vectors: written by `mlsmig vectors generate` (seed 1), so a
# regeneration must give the committed bytes (vectors/README.md).
VECTOR_OWN := crypto codec migration negative

vectors: deps
	@$(MAKE) --no-print-directory _vectors

_vectors: $(CLI)
	@$(CLI) vectors generate --out vectors

vectors-check: deps
	@$(MAKE) --no-print-directory _vectors_check

_vectors_check: $(CLI)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(CLI) vectors generate --out "$$tmp" >/dev/null && \
	for f in $(VECTOR_OWN); do \
	  cmp -s "$$tmp/$$f.json" "vectors/$$f.json" || \
	  { echo "vectors-check: vectors/$$f.json differs from a regeneration (run make vectors)"; exit 1; }; \
	done && echo "vectors-check: vectors/{$$(echo $(VECTOR_OWN) | tr ' ' ,)}.json match a regeneration"

# A benchmark, not a test (README, "Performance"): prints a table and
# writes reports/bench.json; `build/mlsmig bench --quick` is the short form.
bench: deps
	@$(MAKE) --no-print-directory _bench

_bench: $(CLI)
	@mkdir -p reports
	@$(CLI) bench --json reports/bench.json

deps:
	@missing=""; \
	for p in $(PC_PKGS); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v lcov >/dev/null 2>&1 || missing="$$missing lcov"; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
	command -v groff >/dev/null 2>&1 || missing="$$missing groff-base"; \
	/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || missing="$$missing python3-yaml"; \
	/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1 || missing="$$missing python3-cryptography"; \
	command -v $(CC) >/dev/null 2>&1 || missing="$$missing cc"; \
	if [ -n "$$missing" ]; then \
	  echo "mlsmig: missing:$$missing; installing Debian packages: $(DEB_PKGS)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else echo "mlsmig: cannot install as this user. Run:"; \
	       echo "  sudo apt-get update && sudo apt-get install -y $(DEB_PKGS)"; exit 1; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS) >/dev/null || \
	  { echo "mlsmig: apt-get failed. Run: sudo apt-get install -y $(DEB_PKGS)"; exit 1; }; \
	fi

# Quiet by default; `make V=1` prints the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-5s %s\n' $(1) $(2)
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(CLI): $(CLI_OBJS) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

# The list of suites is generated from the file names, so adding a suite is
# adding a file.
$(BUILD)/gen/suites.h: $(wildcard suites/test_*.c)
	@mkdir -p $(dir $@)
	@printf '%s\n' $(foreach s,$(SUITE_NAMES),"MM_SUITE($(s))") > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/obj/suites/check_main.o: $(BUILD)/gen/suites.h

# The requirement catalogue is compiled in as a string literal (sed only, so
# no generator needs building first).
$(BUILD)/gen/catalogue.inc: suites/catalogue.json
	@mkdir -p $(dir $@)
	@sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(BUILD)/obj/sim/profile/catalogue.o: $(BUILD)/gen/catalogue.inc

# The scenarios of suites/scenarios/*.scn, compiled in as {"name", "text"}
# (so `mlsmig sim --scenario NAME` works from anywhere).
SCENARIO_FILES := $(sort $(wildcard suites/scenarios/*.scn))
$(BUILD)/gen/scenarios.inc: $(SCENARIO_FILES)
	@mkdir -p $(dir $@)
	@for f in $(SCENARIO_FILES); do n=$${f##*/}; printf '{"%s",\n' "$${n%.scn}"; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; echo '},'; \
	done > $@.tmp; mv $@.tmp $@

$(BUILD)/obj/sim/explore/scenario_format.o: $(BUILD)/gen/scenarios.inc

# Every MM_ADD_TEST(tc, name, "RULE IDS") of suites/test_*.c, as C
# initializers: `mlsmig list tests` and the catalogue cross-check use it.
$(BUILD)/gen/tests.inc: $(wildcard suites/test_*.c)
	@mkdir -p $(dir $@)
	@for f in $(sort $^); do s=$${f#suites/test_}; s=$${s%.c}; \
	  tr '\n' ' ' < $$f | sed -E 's/" +"//g' | grep -o -E 'MM_ADD_(LOOP_)?TEST\([^;]*;' | \
	  sed -n -E 's/MM_ADD_(LOOP_)?TEST\([^,]*, *([A-Za-z0-9_]+) *, *("[^"]*")[^;]*;/{"'$$s'", "\2", \3},/p'; \
	done > $@.tmp; mv $@.tmp $@

$(BUILD)/obj/sim/cli/cmd_list.o $(BUILD)/obj/suites/test_catalogue.o: $(BUILD)/gen/tests.inc

# Every enforcement site of a profile rule in sim/ (MM_CHECK, MM_ENFORCED,
# MM_RULE, the codec's ENC-* failures, the INV-* checkers), as C
# initializers: the catalogue test requires one per MUST rule.
$(BUILD)/gen/rule_sites.inc: suites/rule_sites.py $(shell find sim -name '*.[ch]')
	@mkdir -p $(dir $@)
	@python3 suites/rule_sites.py > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/suites/test_catalogue.o: $(BUILD)/gen/rule_sites.inc
$(BUILD)/obj/suites/%.o: CFLAGS_ALL += -Isuites

$(CHECK_BIN): $(TEST_OBJS) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(TEST_OBJS) $(LIB) $(PKG_LIBS)

# ---- fuzzing and memory checks (fuzz/README.md) ----
# check_all runs the fuzz targets' code without libFuzzer, and counts heap
# requests (suites/alloc_count.c) for the allocation-bound tests.
$(FUZZ_OBJS): CFLAGS_ALL += -DMM_FUZZ_NO_MAIN
$(CHECK_BIN): private LDFLAGS_ALL += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
$(BUILD)/gen/fuzz_targets.h: Makefile
	@mkdir -p $(dir $@)
	@printf '%s\n' $(foreach t,$(FUZZ_TARGETS),"MM_FUZZ_TARGET($(t))") > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null || mv $@.tmp $@; rm -f $@.tmp
$(BUILD)/obj/suites/test_regressions.o: $(BUILD)/gen/fuzz_targets.h

FUZZ_SECONDS ?= 10
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
.PHONY: fuzz fuzz-smoke fuzz-ds-cheap _fuzz_bins valgrind _valgrind

$(BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(LIB) $(PKG_LIBS)

_fuzz_bins: $(FUZZ_BINS)

# Genuine states and CommitBundles for the mls_state and mls_bundle seeds
# (fuzz/seeds.py --mls-seeds build/mls_seeds).
$(BUILD)/mls_seeds: fuzz/mls_seeds.c $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS)

# Builds every target with clang (installing clang-14 and libclang-rt-14-dev
# when missing) and runs each for FUZZ_SECONDS; fuzz-smoke is CI's short run.
fuzz: deps
	@fuzz/apt-install.sh $(FUZZ_CC):clang-14 \
	  /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev
	@$(MAKE) --no-print-directory FUZZ=1 _fuzz_bins
	@fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=3

# The stateful `ds` target with hash tags for signatures (fuzz/README.md):
# seeds from the simulator built the same way, then FUZZ_SECONDS of fuzzing.
fuzz-ds-cheap: deps
	@fuzz/apt-install.sh $(FUZZ_CC):clang-14 \
	  /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev
	@$(MAKE) --no-print-directory FUZZ_CHEAP=1 build/fuzz-cheap/fuzz_ds build/fuzz-cheap/mlsmig
	@python3 fuzz/seeds.py --cli build/fuzz-cheap/mlsmig --only ds --out build/fuzz-cheap/seeds \
	  >/dev/null 2>&1 || { echo "fuzz-ds-cheap: seeds.py failed" >&2; exit 1; }
	@FUZZ_CORPUS=build/fuzz-cheap/seeds fuzz/run.sh build/fuzz-cheap $(FUZZ_SECONDS) ds

# The happy path and a short run of the Check suites under valgrind
# memcheck: zero errors, zero definite or indirect leaks.
VALGRIND_SUITES ?= bytes messages json_codec rng client source target regressions client_proto
VALGRIND = valgrind --quiet --error-exitcode=1 --leak-check=full \
           --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
           --suppressions=fuzz/valgrind.supp
valgrind: deps
	@fuzz/apt-install.sh valgrind:valgrind
	@$(MAKE) --no-print-directory _valgrind

_valgrind: $(CLI) $(CHECK_BIN)
	@echo "== valgrind: mlsmig sim --scenario happy --suite all"
	$(Q)$(VALGRIND) $(CLI) sim --scenario happy --suite all > /dev/null
	@echo "== valgrind: check_all $(VALGRIND_SUITES) (CK_FORK=no)"
	$(Q)CK_FORK=no MLSMIG_CLI=$(CLI) $(VALGRIND) $(CHECK_BIN) $(VALGRIND_SUITES) \
	  > $(BUILD)/valgrind.log 2>&1 || { tail -40 $(BUILD)/valgrind.log; exit 1; }
	@tail -1 $(BUILD)/valgrind.log
	@echo "valgrind: 0 errors, 0 leaks"

# The second model (model/README.md): SPIN checks INV-1..INV-5 on one
# migration, for draft-05 as profiled (it must find GAP-1) and with the
# amendment of docs/amendment.md (it must find nothing); every
# counterexample is replayed as a scenario in the C simulator, and the
# two agree on a shared set of schedules (MODEL_K=1: 85, MODEL_K=2: 3,421).
MODEL_K    ?= 1
MODEL_MAXF ?= 2
.PHONY: model _model
model: deps
	@fuzz/apt-install.sh spin:spin
	@$(MAKE) --no-print-directory _model

_model: $(CLI)
	@python3 model/run.py --cli $(CLI) --build $(BUILD)/model --k $(MODEL_K) --maxf $(MODEL_MAXF)

# Line and branch coverage of sim/ by the Check suites, as lcov HTML in
# reports/coverage/ and one summary line.
coverage: deps
	@$(MAKE) --no-print-directory COVERAGE=1 _coverage

_coverage: $(CHECK_BIN) $(CLI)
	@find $(BUILD) -name '*.gcda' -delete
	@MLSMIG_CLI=$(CLI) $(CHECK_BIN) > $(BUILD)/check.log 2>&1 || { tail -20 $(BUILD)/check.log; exit 1; }
	@mkdir -p reports/coverage
	@lcov --quiet --capture --rc lcov_branch_coverage=1 --directory $(BUILD)/obj/sim \
	  --base-directory . --output-file $(BUILD)/cov.info 2>&1 | grep -v 'redefined at' || true
	@lcov --quiet --rc lcov_branch_coverage=1 --extract $(BUILD)/cov.info '*/sim/*' \
	  --output-file $(BUILD)/cov-sim.info >/dev/null
	@genhtml --quiet --branch-coverage --output-directory reports/coverage \
	  --title "mlsmig sim/" $(BUILD)/cov-sim.info >/dev/null
	@lcov --rc lcov_branch_coverage=1 --summary $(BUILD)/cov-sim.info 2>&1 | \
	  awk '/lines|branches|functions/ {printf "%s ", $$0} END {print ""}' | \
	  sed 's/  */ /g; s/^/coverage of sim\/: /'
	@echo "HTML: reports/coverage/index.html"

# ---- interop with real MLS members (interop/ts-mls/README.md) ----
# interop-deps: nodejs and npm from Debian when missing, then the ts-mls
# adapter's packages from its lockfile (npm ci, only when the lockfile
# changed). interop: the adapter smoke test in every suite it supports.
# interop-bench: below.
TSMLS_DIR := interop/ts-mls
.PHONY: interop interop-deps _interop interop-bench

interop-deps:
	@fuzz/apt-install.sh node:nodejs npm:npm
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' || \
	  { echo "mlsmig: the ts-mls adapter needs Node.js >= 18; this is $$(node --version)"; exit 1; }
	@$(MAKE) --no-print-directory -s $(TSMLS_DIR)/node_modules/.package-lock.json

$(TSMLS_DIR)/node_modules/.package-lock.json: $(TSMLS_DIR)/package.json $(TSMLS_DIR)/package-lock.json
	@echo "== npm ci in $(TSMLS_DIR) (packages pinned by package-lock.json)"
	@cd $(TSMLS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

interop: deps interop-deps
	@$(MAKE) --no-print-directory _interop

_interop: $(CHECK_BIN) $(CLI)
	@echo "== interop: the ts-mls adapter over the client protocol, every suite (docs/client-protocol.md)"
	@MLSMIG_CLI=$(CLI) $(CHECK_BIN) interop

# What the ts-mls members cost: start-up and each request, per suite (a
# benchmark, not a test); writes reports/bench-clients.json.
interop-bench: deps interop-deps
	@$(MAKE) --no-print-directory $(CLI)
	@mkdir -p reports
	@$(CLI) bench --clients 'node $(TSMLS_DIR)/client.js' --json reports/bench-clients.json

# The reference DS as a shim executable (docs/shim-protocol.md): the
# conformance runner's default implementation under test.
REF_DS      := $(BUILD)/mlsmig-ref-ds
REF_DS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(REF_DS_SRCS))

$(REF_DS): $(REF_DS_OBJS) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(REF_DS_OBJS) $(LIB) $(PKG_LIBS)

_all: $(REF_DS)
_programs: $(REF_DS)
_run: $(REF_DS)
# test_runner drives the shim executable next to $(CLI).
$(CHECK_BIN): | $(REF_DS)

# ---- mutation testing (docs/mutation.md) ----
# Source-level mutants of the reference DS (suites/mutation.py): each is
# compiled alone and linked with the unmutated objects, judged by the
# unmutated runner (and the simulator, linked with the mutant). Reports in
# reports/mutation/. MUTATION_SAMPLE=N runs N of them (default 160, about 15
# minutes on 2 cores; 0: all, about an hour), picked by
# MUTATION_SEED; MUTATION_FILES: the C files or folders to mutate.
MUTATION_SAMPLE ?= 160
MUTATION_SEED   ?= 1
MUTATION_JOBS   ?= 2
MUTATION_FILES  ?= sim/ds sim/ds/source sim/ds/target
.PHONY: mutation _mutation FORCE
FORCE:

# What suites/mutation.py compiles and links a mutant with (rewritten only
# when it changes).
$(BUILD)/gen/mutation-flags.txt: FORCE
	@mkdir -p $(dir $@)
	@{ echo 'BUILD=$(BUILD)'; echo 'CC=$(CC)'; echo 'CFLAGS=$(subst ','\'',$(CFLAGS_ALL))'; \
	   echo 'LDFLAGS=$(LDFLAGS_ALL)'; echo 'LIBS=$(PKG_LIBS)'; echo 'LIB=$(LIB)'; \
	   echo 'CLI_OBJS=$(CLI_OBJS)'; echo 'REF_DS_OBJS=$(REF_DS_OBJS)'; } > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null || mv $@.tmp $@; rm -f $@.tmp

mutation: deps
	@$(MAKE) --no-print-directory _mutation

_mutation: $(CLI) $(REF_DS) $(BUILD)/gen/mutation-flags.txt
	@python3 suites/mutation.py --build $(BUILD) --sample $(MUTATION_SAMPLE) \
	  --seed $(MUTATION_SEED) --jobs $(MUTATION_JOBS) --files $(MUTATION_FILES)

# test_mutation runs suites/mutation.py --self-test against these.
$(CHECK_BIN): | $(BUILD)/gen/mutation-flags.txt

# Programs, library, headers, pkg-config file, man pages, the published
# vectors and the documentation, under PREFIX (or the directories above).
install: deps
	@$(MAKE) --no-print-directory _install

MAN_PAGES := $(sort $(wildcard man/*.[1-9]))
DOC_FILES := README.md LICENSE THIRD-PARTY.md $(sort $(wildcard docs/*.md docs/*.json))

_install: _programs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/mlsmig \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(VECTORDIR) \
	  $(DESTDIR)$(DOCDIR)/examples/ci $(DESTDIR)$(DOCDIR)/examples/python-shim
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/mlsmig
	install -m 0755 $(REF_DS) $(DESTDIR)$(BINDIR)/mlsmig-ref-ds
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libmlsmig.a
	install -m 0644 include/mlsmig/*.h $(DESTDIR)$(INCLUDEDIR)/mlsmig/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	  -e 's|@VERSION@|$(VERSION)|g' mlsmig.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/mlsmig.pc
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.7,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 $(VECTOR_OWN:%=vectors/%.json) vectors/README.md $(DESTDIR)$(VECTORDIR)/
	install -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	install -m 0644 examples/ci/*.yml $(DESTDIR)$(DOCDIR)/examples/ci/
	install -m 0644 examples/python-shim/* $(DESTDIR)$(DOCDIR)/examples/python-shim/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mlsmig $(DESTDIR)$(BINDIR)/mlsmig-ref-ds \
	  $(DESTDIR)$(LIBDIR)/libmlsmig.a $(DESTDIR)$(LIBDIR)/pkgconfig/mlsmig.pc \
	  $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(filter %.1,$(MAN_PAGES))) \
	  $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(filter %.7,$(MAN_PAGES)))
	rm -rf $(DESTDIR)$(INCLUDEDIR)/mlsmig $(DESTDIR)$(DATADIR)/mlsmig $(DESTDIR)$(DOCDIR)

# ---- the Debian package (debian/) ----
# dpkg-buildpackage in a copy of the source tree (what git tracks, plus new
# files it does not ignore) under build/deb/, then lintian on the result:
# errors fail; warnings and infos are printed (none are expected; the source
# overrides in debian/source/lintian-overrides say why they are there).
# Installs dpkg-dev, debhelper, fakeroot and lintian when missing, as `deps`
# does.
DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/mlsmig-$(VERSION)

deb: deps
	@fuzz/apt-install.sh dpkg-buildpackage:dpkg-dev dh:debhelper fakeroot:fakeroot lintian:lintian
	@$(MAKE) --no-print-directory _deb

_deb:
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z --cached --others --exclude-standard | \
	    xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	    tar --null -T - -cf - | tar -xf - -C $(DEB_SRC); \
	else \
	  tar --exclude=./build --exclude='./reports/*' -cf - . | tar -xf - -C $(DEB_SRC); \
	fi
	@echo "== dpkg-buildpackage in $(DEB_SRC) (log: $(DEB_DIR)/build.log)"
	@cd $(DEB_SRC) && dpkg-buildpackage -us -uc -J2 > ../build.log 2>&1 || \
	  { tail -40 $(DEB_DIR)/build.log; exit 1; }
	@ls $(DEB_DIR)/*.deb $(DEB_DIR)/*.dsc | sed 's/^/  /'
	@echo "== lintian (fails on errors)"
	@lintian --fail-on error --info --display-level '>=info' $(DEB_DIR)/*.changes; rc=$$?; \
	  [ $$rc = 0 ] && echo "lintian: no errors"; exit $$rc

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
