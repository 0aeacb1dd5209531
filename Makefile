# Darknet-compatible CPU inference engine with pluggable convolution backends.
# `make` builds ./darknet, libdarknet.a and libdarknet.so; `make test` runs the tests;
# `make demo` installs missing Debian packages, builds and classifies a bundled photo;
# `make bench` and `make bench-peers` write benchmark tables and charts to bench/results/;
# `make examples` builds the C and C++ library examples; `make install PREFIX=... DESTDIR=...`
# installs the binary, both libraries, include/darknet.h(pp), the cfgs and darknet.pc.

# Recipes use bash (PIPESTATUS, arrays).
SHELL    := /bin/bash

CXX      ?= g++
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
WERROR   ?= 1
# The default build runs on any x86-64 (the baseline ISA: SSE2): the AVX2 and AVX-512 code
# (GEMM microkernels, maxpool, logistic, ...) is compiled per function with target attributes
# and chosen at run time from what the CPU reports and DARKNET_ISA. NATIVE=1 builds for this
# CPU only (-march=native), in its own directory; README "Portable and native builds".
ifeq ($(NATIVE),1)
  BUILD  ?= build/native
  OPT    ?= -O3 -march=native
else
  BUILD  ?= build/release
  OPT    ?= -O3
endif
MULTIARCH := $(shell $(CXX) -print-multiarch 2>/dev/null)

# Prefer Debian's OpenMP build of OpenBLAS: it shares libgomp's thread pool with our own
# OpenMP loops, so BLAS never oversubscribes the cores. Fall back to the default -lopenblas.
BLAS_OMP_DIR := /usr/lib/$(MULTIARCH)/openblas-openmp
ifneq ($(wildcard $(BLAS_OMP_DIR)/libopenblas.so),)
  BLAS_CFLAGS := -I/usr/include/$(MULTIARCH)/openblas-openmp -DDN_BLAS_OPENMP=1
  BLAS_LIBS   := -L$(BLAS_OMP_DIR) -Wl,-rpath,$(BLAS_OMP_DIR) -lopenblas
else
  BLAS_CFLAGS :=
  BLAS_LIBS   := -lopenblas
endif

WARN     := -Wall -Wextra -Wpedantic -Wshadow
ifeq ($(WERROR),1)
  WARN   += -Werror
endif
CXXFLAGS ?=
# _FILE_OFFSET_BITS=64: on 32-bit targets (armhf) stat() and readdir() otherwise fail with
# EOVERFLOW on files with 64-bit inode numbers or directory offsets; a no-op on 64-bit.
CPPFLAGS += -Iinclude -Isrc -Ibackends -Iexamples -I/usr/include/stb -D_FILE_OFFSET_BITS=64 $(BLAS_CFLAGS)
# -fno-trapping-math changes no result (nothing reads the floating-point exception flags); it
# lets GCC compute both sides of a select, so loops such as leaky's `v > 0 ? v : .1*v`
# vectorise instead of branching on every element (20x on random signs).
# -ffp-contract=off: a*b+c is never fused into an FMA by the compiler (GCC fuses in C++ mode
# whenever the target has FMA), so compiler-vectorised code rounds every product and sum, as
# upstream's baseline build does, and gives the same bits on every ISA and in every build.
# Explicit FMAs (the microkernels' intrinsics) are unaffected.
ALLFLAGS = -std=c++17 $(OPT) -fno-trapping-math -ffp-contract=off -g -fPIC -fopenmp $(WARN) -MMD -MP $(CXXFLAGS)
LDLIBS   = $(LDLIBS_EXTRA) $(BLAS_LIBS) -lstb -ljpeg -fopenmp -lpthread -lm

LIB_SRC  := $(wildcard src/*.cpp) $(wildcard src/layers/*.cpp) $(wildcard backends/*.cpp)
LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
CLI_SRC  := examples/darknet.cpp $(wildcard examples/cli/*.cpp)
CLI_OBJ  := $(CLI_SRC:%.cpp=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/*.cpp)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/%.o)
# Library examples, built against the public headers only (never linked into the CLI):
# the C one against libdarknet.so, the C++ one against libdarknet.a.
EXAMPLES := $(BUILD)/examples/classify-c $(BUILD)/examples/classify-cpp
CWARN    := -Wall -Wextra -Wpedantic $(if $(filter 1,$(WERROR)),-Werror)

.PHONY: all test test-all test-matrix test-arm test-qemu-x86 bench-native demo asan valgrind fuzz fuzz-build conformance clean deps bench bench-peers bench-layers profile examples install uninstall

all: darknet libdarknet.a libdarknet.so

# The bench header line reports how the binary was built.
$(BUILD)/examples/cli/bench.o $(BUILD)/src/sysinfo.o: CPPFLAGS += -DDN_BUILD_FLAGS='"$(CXX) $(OPT) $(CXXFLAGS)"'

# Objects depend on a stamp of the compile flags, so a change of OPT, CXX or CXXFLAGS in the
# same build directory rebuilds them (a directory built with -march=native before this
# Makefile defaulted to the baseline is rebuilt, not reused).
FLAGS_STAMP := $(BUILD)/compile-flags
FLAGS_NOW   := $(CXX) $(CPPFLAGS) $(ALLFLAGS)
ifneq ($(shell cat $(FLAGS_STAMP) 2>/dev/null),$(strip $(FLAGS_NOW)))
  $(shell mkdir -p $(BUILD) && echo '$(strip $(FLAGS_NOW))' > $(FLAGS_STAMP))
endif

$(BUILD)/%.o: %.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CXX     $<"
	@$(CXX) $(CPPFLAGS) $(ALLFLAGS) -c $< -o $@

$(BUILD)/libdarknet.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

libdarknet.a: $(BUILD)/libdarknet.a
	cp $< $@

libdarknet.so: $(LIB_OBJ)
	$(CXX) -shared -Wl,-soname,libdarknet.so -o $@ $^ $(LDLIBS)

$(BUILD)/darknet: $(CLI_OBJ) $(BUILD)/libdarknet.a
	$(CXX) -o $@ $^ $(LDLIBS)

darknet: $(BUILD)/darknet
	cp $< $@

$(BUILD)/run_tests: $(TEST_OBJ) $(BUILD)/libdarknet.a
	$(CXX) -o $@ $^ $(LDLIBS)

examples: $(EXAMPLES)

$(BUILD)/examples/classify-c: examples/classify.c include/darknet.h libdarknet.so
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(OPT) $(CWARN) -Iinclude $< -o $@ -L. -ldarknet -Wl,-rpath,$(CURDIR)

# Public headers only, as an installed program sees them.
$(BUILD)/examples/classify.o: CPPFLAGS := -Iinclude

$(BUILD)/examples/classify-cpp: $(BUILD)/examples/classify.o $(BUILD)/libdarknet.a
	$(CXX) -o $@ $^ $(LDLIBS)

# Installed layout; DESTDIR stages it (packaging), PREFIX is where it will live.
BINDIR     := $(PREFIX)/bin
LIBDIR     := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
DATADIR    := $(PREFIX)/share/darknet
PCDIR      := $(LIBDIR)/pkgconfig
# The Python package: where Debian's python3 looks under a prefix (/usr/local/lib/python3.X/
# dist-packages is on its sys.path); another prefix's users add PYDIR to PYTHONPATH.
PYVER      := $(shell python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)
PYDIR      := $(LIBDIR)/python$(PYVER)/dist-packages
PYFILES    := $(wildcard python/darknet_cpu/*.py)
# What a static link of libdarknet.a needs besides it (pkg-config --static).
PC_PRIVATE := $(patsubst -fopenmp,-lgomp,$(BLAS_LIBS) -lstb -ljpeg -fopenmp -lpthread -lm -lstdc++)

install: darknet libdarknet.a libdarknet.so
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(DATADIR)/cfg $(DESTDIR)$(PCDIR)
	install -m 755 darknet $(DESTDIR)$(BINDIR)/darknet
	install -m 644 libdarknet.a $(DESTDIR)$(LIBDIR)/libdarknet.a
	install -m 755 libdarknet.so $(DESTDIR)$(LIBDIR)/libdarknet.so
	install -m 644 include/darknet.h include/darknet.hpp $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 cfg/*.cfg cfg/*.data $(DESTDIR)$(DATADIR)/cfg/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBS_PRIVATE@|$(PC_PRIVATE)|g' \
	  scripts/darknet.pc.in > $(DESTDIR)$(PCDIR)/darknet.pc
	chmod 644 $(DESTDIR)$(PCDIR)/darknet.pc
	install -d $(DESTDIR)$(PYDIR)/darknet_cpu
	install -m 644 $(PYFILES) $(DESTDIR)$(PYDIR)/darknet_cpu/
	printf '# Written by make install: the library this installed package loads.\nLIBRARY = "%s"\n' \
	  '$(LIBDIR)/libdarknet.so' > $(DESTDIR)$(PYDIR)/darknet_cpu/_installed.py
	chmod 644 $(DESTDIR)$(PYDIR)/darknet_cpu/_installed.py

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/darknet $(DESTDIR)$(LIBDIR)/libdarknet.a \
	  $(DESTDIR)$(LIBDIR)/libdarknet.so $(DESTDIR)$(INCLUDEDIR)/darknet.h \
	  $(DESTDIR)$(INCLUDEDIR)/darknet.hpp $(DESTDIR)$(PCDIR)/darknet.pc \
	  $(addprefix $(DESTDIR)$(DATADIR)/cfg/,$(notdir $(wildcard cfg/*.cfg cfg/*.data)))
	rm -f $(addprefix $(DESTDIR)$(PYDIR)/darknet_cpu/,$(notdir $(PYFILES)) _installed.py)
	rm -rf $(DESTDIR)$(PYDIR)/darknet_cpu/__pycache__
	rmdir $(DESTDIR)$(DATADIR)/cfg $(DESTDIR)$(DATADIR) $(DESTDIR)$(PCDIR) \
	  $(DESTDIR)$(PYDIR)/darknet_cpu $(DESTDIR)$(PYDIR) $(DESTDIR)$(LIBDIR)/python$(PYVER) 2>/dev/null || true

deps:
	@bash scripts/install-deps.sh

# The fast suite; CI adds nothing but the summary line.
test: deps darknet $(BUILD)/run_tests examples
	@EXAMPLES_DIR=$(BUILD)/examples bash scripts/run-tests.sh $(BUILD)/run_tests ./darknet

test-all: deps darknet $(BUILD)/run_tests examples
	@RUN_SLOW=1 EXAMPLES_DIR=$(BUILD)/examples bash scripts/run-tests.sh $(BUILD)/run_tests ./darknet

# The backend grid, the C API and the CLI method tests under each OPENBLAS_CORETYPE and each
# DARKNET_ISA this CPU can run (scripts/test-matrix.sh); CI runs it too.
test-matrix: deps darknet $(BUILD)/run_tests
	@bash scripts/test-matrix.sh $(BUILD)/run_tests ./darknet

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -fno-omit-frame-pointer" \
	  CXXFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -Wno-maybe-uninitialized" \
	  LDLIBS_EXTRA="-fsanitize=address,undefined" build/asan/darknet build/asan/run_tests
	@ASAN_OPTIONS=detect_leaks=1 CLI_QUICK=1 bash scripts/run-tests.sh build/asan/run_tests build/asan/darknet

# libFuzzer targets (tests/fuzz/), built with clang++ and ASan/UBSan into build/fuzz; each runs
# FUZZ_SECONDS on a working corpus seeded from tests/fuzz/corpus/NAME. Crashes land in
# build/fuzz/artifacts/. clang's OpenMP runtime (libomp) replaces libgomp in this build.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := cfg weights image data
FUZZ_CXX     ?= clang++
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_BINS    := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t build/fuzz/artifacts; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$t- \
	    build/fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | grep -E "^(stat::|#[0-9]+ *DONE)|ERROR|SUMMARY" ; \
	  [ $${PIPESTATUS[0]} -eq 0 ] || { echo "fuzz: $$t failed, see build/fuzz/artifacts/"; exit 1; }; \
	done

fuzz-build:
	@bash scripts/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CXX=$(FUZZ_CXX) WERROR=0 \
	  OPT="-O1 -fno-omit-frame-pointer" CXXFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  build/fuzz/libdarknet.a $(FUZZ_BINS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.cpp tests/fuzz/fuzz_common.h build/fuzz/libdarknet.a
	$(FUZZ_CXX) $(CPPFLAGS) -std=c++17 -O1 -g -fno-omit-frame-pointer -fopenmp \
	  -fsanitize=fuzzer $(FUZZ_SAN) $< build/fuzz/libdarknet.a -o $@ $(BLAS_LIBS) -lstb -ljpeg -lpthread -lm

# memcheck on the CLI, one classifier run per backend (scripts/valgrind.sh). Valgrind cannot
# decode AVX-512, which -march=native may emit, so this build targets x86-64-v3 (AVX2, FMA).
# The test suite built for ARM with Debian's cross compiler and run under qemu user-mode
# emulation (scripts/cross-test.sh; installs the cross compiler, qemu-user and the ARM
# libraries). ARCH=armhf (default) or arm64.
test-arm:
	@bash scripts/cross-test.sh

# The default build's suite, the same binaries, under qemu-x86_64 -cpu Nehalem (no AVX):
# the baseline paths and no stray AVX instruction (scripts/qemu-x86-test.sh). QEMU_CPU
# names another model.
test-qemu-x86: darknet $(BUILD)/run_tests
	@bash scripts/qemu-x86-test.sh $(BUILD)/run_tests ./darknet

# Portable (default) against native (NATIVE=1) build: bench-peers' networks, 1 and 2
# threads, the two binaries taking turns (scripts/bench-native.sh).
bench-native:
	@bash scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory darknet
	@$(MAKE) --no-print-directory NATIVE=1 build/native/darknet
	@bash scripts/bench-native.sh $(BUILD)/darknet build/native/darknet

valgrind:
	@$(MAKE) --no-print-directory BUILD=build/valgrind OPT="-O2 -march=x86-64-v3" build/valgrind/darknet
	@bash scripts/valgrind.sh build/valgrind/darknet

demo: deps darknet
	@bash scripts/demo.sh

conformance: darknet
	@bash scripts/conformance.sh; a=$$?; bash scripts/conformance-detect.sh; b=$$?; \
	  bash scripts/conformance-hier.sh; c=$$?; bash scripts/conformance-sweep.sh; d=$$?; \
	  [ $$a -eq 0 ] && [ $$b -eq 0 ] && [ $$c -eq 0 ] && [ $$d -eq 0 ]

# Park & Chung's Table 1 on this machine. BLAS_CORETYPE=Haswell (say) overrides OpenBLAS's CPU
# detection; unset, OpenBLAS picks its kernel itself and the results header names it.
# The packages come first, then the build: as prerequisites they could run in parallel.
BLAS_CORETYPE ?=
bench:
	@bash scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory darknet
	@BLAS_CORETYPE=$(BLAS_CORETYPE) bash scripts/bench.sh table

bench-peers:
	@bash scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory darknet
	@BLAS_CORETYPE=$(BLAS_CORETYPE) NCNN_DIR=$(NCNN_DIR) bash scripts/bench.sh peers

# Ours against oneDNN layer by layer, the engines taking turns (scripts/bench-layers.sh):
# bench/results/layers-onednn-NET-Tt.md. NETS, THREADS, ROUNDS as that script says.
bench-layers:
	@bash scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory darknet build/bench/onednn_bench
	@bash scripts/bench-layers.sh $(NETS)

# Per-layer-type times (bench -method auto -layers) and callgrind's per-function instruction
# counts for one forward pass -> bench/results/profile.{md,json,csv} (scripts/profile.sh).
# Callgrind runs an x86-64-v3 build in build/profile: valgrind cannot decode AVX-512.
profile:
	@bash scripts/install-deps.sh --profile
	@$(MAKE) --no-print-directory darknet
	@$(MAKE) --no-print-directory BUILD=build/profile OPT="-O3 -march=x86-64-v3" build/profile/darknet
	@bash scripts/profile.sh

# The peer programs of make bench-peers, outside the library build.
build/bench/opencv_dnn_bench: bench/peers/opencv_dnn_bench.cpp bench/peers/bench_input.h bench/peers/peer_args.h bench/peers/darknet_cfg.h
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 $(WARN) $(shell pkg-config --cflags opencv4 | sed 's/-I/-isystem /g') $< -o $@ \
	  $(shell pkg-config --libs-only-L opencv4) -lopencv_dnn -lopencv_core

# oneDNN (Debian's libdnnl-dev, OpenMP runtime): the network is built from its primitives.
build/bench/onednn_bench: bench/peers/onednn_bench.cpp bench/peers/bench_input.h bench/peers/peer_args.h
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -fopenmp $(WARN) $< -o $@ -ldnnl

# Tencent's ncnn (not a Debian package): NCNN_DIR is an install prefix (include/ncnn/net.h,
# lib/libncnn.a or .so); unset, /usr/local and /usr are tried. Without it the target fails
# with one line and bench-peers reports ncnn as not found.
NCNN_DIR ?= $(patsubst %/include/ncnn/net.h,%,$(firstword $(wildcard /usr/local/include/ncnn/net.h /usr/include/ncnn/net.h)))
NCNN_LIB = $(firstword $(wildcard $(addprefix $(NCNN_DIR)/,lib/libncnn.a lib64/libncnn.a lib/*/libncnn.a lib/libncnn.so lib64/libncnn.so lib/*/libncnn.so)))
build/bench/ncnn_bench: bench/peers/ncnn_bench.cpp bench/peers/bench_input.h bench/peers/peer_args.h bench/peers/darknet_cfg.h
	@if [ -z "$(NCNN_DIR)" ] || [ ! -f "$(NCNN_DIR)/include/ncnn/net.h" ] || [ -z "$(NCNN_LIB)" ]; then \
	  echo "ncnn_bench: ncnn not found (set NCNN_DIR to an ncnn install prefix)" >&2; exit 1; fi
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -fopenmp $(WARN) -isystem $(NCNN_DIR)/include $< -o $@ $(NCNN_LIB) \
	  -Wl,-rpath,$(dir $(NCNN_LIB)) -lpthread

# do_nms_sort against upstream's algorithm on one forward pass (bench/nms_bench.cpp).
build/bench/nms_bench: bench/nms_bench.cpp tests/nms_reference.h $(BUILD)/libdarknet.a
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -Itests $(ALLFLAGS) $< $(BUILD)/libdarknet.a -o $@ $(LDLIBS)

# JPEG decode speed, libjpeg-turbo against stb_image (bench/jpeg_bench.cpp).
build/bench/jpeg_bench: bench/jpeg_bench.cpp $(BUILD)/libdarknet.a
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(ALLFLAGS) $< $(BUILD)/libdarknet.a -o $@ $(LDLIBS)

UPSTREAM_LIB := /usr/lib/darknet
build/bench/upstream_bench: bench/peers/upstream_bench.c bench/peers/bench_input.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=199309L -O2 $(WARN) -isystem $(UPSTREAM_LIB)/include $< -o $@ \
	  -L$(UPSTREAM_LIB) -Wl,-rpath,$(UPSTREAM_LIB) -ldarknet -lm

clean:
	rm -rf build darknet libdarknet.a libdarknet.so

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/examples/classify.d
