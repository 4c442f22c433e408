# The two commands of the quick start. Each does its own set-up.
#   make run                  build and open the GUI   (make run ARGS="--server" for a headless room)
#   make test                 build and run every test with ctest
# And two deeper checks, each in a build directory of its own:
#   make test-sanitize        the same tests built with AddressSanitizer + UBSan (build-asan)
#   make fuzz                 fuzz the protocol decoder with libFuzzer for FUZZ_SECONDS (build-fuzz)
# After adding or changing a user-visible string:
#   make translations         lupdate into translations/*.ts, then translate what is new
BUILD ?= build
JOBS ?= 2
ARGS ?=
CMAKE_FLAGS ?=

.PHONY: run test build deps test-deps clean test-sanitize fuzz fuzz-deps deb translations

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/app/confab $(ARGS)

test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

# lupdate rewrites the .ts files in the source tree, so the normal build never runs it
# (translations/README.md).
translations: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) --target update_translations

# --- sanitizers --------------------------------------------------------------------------
# Debug: -O0 compiles fastest on two cores, and keeps Q_ASSERT on in project code.
ASAN_BUILD ?= build-asan
ASAN_BUILD_TYPE ?= Debug
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(ASAN_BUILD_TYPE) -DCONFAB_SANITIZE=ON $(CMAKE_FLAGS)

test-sanitize: test-deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && $(SANITIZE_ENV) ctest --output-on-failure -j$(JOBS) --timeout 600

# --- fuzzing -----------------------------------------------------------------------------
# Builds only common/ and tests/fuzz with clang (-fsanitize=fuzzer,address,undefined), then
# runs the decoder fuzzer over a fresh copy of the seed corpus. Exits non-zero on a crash,
# leak, timeout or out-of-memory; the input that did it is left in $(FUZZ_BUILD)/artifacts/.
# Replay one with: $(FUZZ_BUILD)/tests/fuzz/fuzz_codec $(FUZZ_BUILD)/artifacts/crash-...
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++-14
FUZZ_FLAGS ?=

fuzz-deps:
	@scripts/install-deps.sh --fuzz

$(FUZZ_BUILD)/build.ninja: | fuzz-deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DCONFAB_FUZZ=ON -DBUILD_TESTING=OFF

fuzz: fuzz-deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_codec
	rm -rf $(FUZZ_BUILD)/corpus && mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/artifacts
	cp tests/fuzz/corpus/* $(FUZZ_BUILD)/corpus/
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(FUZZ_BUILD)/tests/fuzz/fuzz_codec -max_total_time=$(FUZZ_SECONDS) -max_len=70000 \
	    -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
	    -dict=tests/fuzz/codec.dict -artifact_prefix=$(FUZZ_BUILD)/artifacts/ $(FUZZ_FLAGS) \
	    $(FUZZ_BUILD)/corpus

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# --- Debian package ----------------------------------------------------------------------
# Builds $(BUILD) and packs it with CPack (cmake/ConfabPackaging.cmake):
# $(BUILD)/confab_<version>_<arch>.deb, installing to /usr, Depends from dpkg-shlibdeps.
deb: build
	cd $(BUILD) && cpack -G DEB
