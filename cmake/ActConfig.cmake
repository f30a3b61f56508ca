# find_package(Act) gives Act::JIT: act's JIT library (libact.so), its C++
# API (act/JIT/JIT.h) and its C API (act-c/JIT.h).
include("${CMAKE_CURRENT_LIST_DIR}/ActTargets.cmake")
