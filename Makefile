# The two commands of the quick start. Each does its own set-up.
#   make run                  build and open the GUI   (make run ARGS="--server" for a headless room)
#   make test                 build and run every test with ctest
BUILD ?= build
JOBS ?= 2
ARGS ?=
CMAKE_FLAGS ?=

.PHONY: run test build deps test-deps clean

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

clean:
	rm -rf $(BUILD)
