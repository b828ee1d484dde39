# Two commands set everything up on a fresh Debian 12 machine:
#   make run   - install missing deps, build, analyze the bundled sample study
#   make test  - install missing deps, build, run the whole test suite
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
WERROR ?= $(or $(REFLUXSCAN_WERROR),OFF)

.PHONY: all deps configure build run test bench fuzz sanitize format clean sample

all: build

deps:
	@tools/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DREFLUXSCAN_WERROR=$(WERROR) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@rm -rf out/sample
	$(BUILD_DIR)/refluxscan analyze sample_data -o out/sample --manifest sample_data/manifest.csv
	@for f in out/sample/*/report.html; do echo "Open in a browser: $(CURDIR)/$$f"; done

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@tools/bench.sh $(BUILD_DIR)

sample: build
	@tools/regenerate-sample.sh $(BUILD_DIR)

# Robustness (docs/robustness.md): libFuzzer targets for FUZZ_SECONDS each, and the whole test
# suite under ASan+UBSan.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
ASAN_DIR ?= build-asan

fuzz: deps
	@cmake -S . -B $(FUZZ_DIR) -DREFLUXSCAN_FUZZ=ON -DREFLUXSCAN_BUILD_TESTS=OFF \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_dicom fuzz_config fuzz_strip
	@fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

sanitize: deps
	@cmake -S . -B $(ASAN_DIR) -DREFLUXSCAN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug > /dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD_DIR) out
