#!/usr/bin/env bash
# Configures and builds PlaneLab in build/ (Release, ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# Paths relative to the checkout, so clones and worktrees elsewhere share the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
# The fuzzers (fuzz/): the pure libraries under clang's libFuzzer, ASan and UBSan, in a build folder of their own
# without ns-3 or Qt (PLANELAB_PURE_ONLY); ctest's fuzz.* tests run them. Only when clang and its libFuzzer
# runtime are installed (scripts/install-deps.sh installs them).
clang=/usr/bin/clang++
if [ -x "$clang" ] && [ -e "$("$clang" -print-runtime-dir)/libclang_rt.fuzzer-x86_64.a" ]; then
  cmake -S . -B build/fuzz -DPLANELAB_PURE_ONLY=ON -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/fuzz -j"$(nproc)"
else
  echo "planelab: clang or its libFuzzer runtime is missing: the fuzzers are not built (scripts/install-deps.sh)" >&2
fi
