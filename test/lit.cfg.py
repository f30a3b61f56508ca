# -*- Python -*-
# lit configuration of act's test suite.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ACT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.act_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%mlir_lib_dir", config.mlir_lib_dir))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so")))
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(config.mlir_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(("%act_src_root", config.act_src_root))
config.substitutions.append(("%act_unittests", config.act_unittests_dir))
config.substitutions.append(("%act_obj_root", config.act_obj_root))
# Debian's python3 carries numpy and mpmath; the first python3 on PATH may not.
config.substitutions.append(("%python", config.host_python))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# `not`, FileCheck and count live in LLVM's tool directory.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tools = [
    "act-opt",
    ToolSubst("mlir-runner", unresolved="fatal"),
    ToolSubst("mlir-translate", unresolved="fatal"),
    ToolSubst("llc", unresolved="fatal"),
    "act-run",
    "act-gpu-launch",
    "act-properties",
    "act-accuracy",
    ToolSubst("%clang", command="/usr/lib/llvm-22/bin/clang", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(
    tools, [config.act_tools_dir, config.llvm_tools_dir])

# Host CPU features, for tests that run code for a named target.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((l for l in cpuinfo if l.startswith("flags")), "").split()
except OSError:
    flags = []
if "avx512f" in flags and "avx512bw" in flags:
    config.available_features.add("avx512")
if getattr(config, "act_tsan_tests", False):
    config.available_features.add("tsan-tests")
if getattr(config, "act_sanitizer", ""):
    config.available_features.add("asan")

# A CUDA toolkit (ptxas, libdevice) for the GPU pipeline's IR-level tests;
# a GPU for the execution tests. Both are looked up as act-gpu-pipeline
# does: $CUDA_HOME, then /usr/local/cuda.
cuda_home = next((p for p in [os.environ.get("CUDA_HOME", ""), "/usr/local/cuda"]
                  if p and os.path.exists(os.path.join(p, "bin", "ptxas"))), "")
if cuda_home:
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%ptxas", os.path.join(cuda_home, "bin", "ptxas")))
    config.environment["CUDA_HOME"] = cuda_home
if os.path.exists("/dev/nvidia0"):
    config.available_features.add("gpu")
    # Hopper (sm_90a kernels: wgmma, TMA).
    try:
        import subprocess
        caps = subprocess.run(
            ["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=30).stdout.split()
        if "9.0" in caps:
            config.available_features.add("gpu-sm90")
    except (OSError, subprocess.SubprocessError):
        pass
