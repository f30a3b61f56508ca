# Sourced by the scripts: act_configure BUILD_DIR [CMAKE_ARGS...] configures
# act in BUILD_DIR once (Ninja, clang-22, ccache, lld, Debian's MLIR 22).
act_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CCACHE_BASEDIR="$act_root"

act_configure() {
  local build="$1"
  shift
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$act_root" -B "$build" -G Ninja \
      -DCMAKE_BUILD_TYPE="${ACT_BUILD_TYPE:-Release}" \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DLLVM_USE_LINKER=lld \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit "$@" >&2
  fi
}
