/*===- act-c/JIT.h - C API of act's JIT ----------------------------*- C
-*-===*\
|*                                                                            *|
|* The reach of act/JIT/JIT.h for hosts in other languages: compile an        *|
|* activation, a GLU, an FFN or a module from MLIR text, run it. Every        *|
|* function returns 0 on success and non-zero on error, and then             *|
|* act_last_error() holds a one-line message (per thread). Nothing aborts.    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef ACT_C_JIT_H
#define ACT_C_JIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct act_jit act_jit;
typedef struct act_kernel act_kernel;

/* The *_MAX_ENUM values give the enums the range of int, so that any value
 * a host passes is a valid one to check (and reject), not undefined. */
typedef enum {
  ACT_F32 = 0,
  ACT_F16 = 1,
  ACT_BF16 = 2,
  ACT_DTYPE_MAX_ENUM = 0x7fffffff
} act_dtype;
typedef enum {
  ACT_PRECISE = 0,
  ACT_FAST = 1,
  ACT_ACCURACY_MAX_ENUM = 0x7fffffff
} act_accuracy;

/* A row-major array: rank 1 or 2, shape[rank..1] unused. */
typedef struct {
  void *data;
  int64_t rank;
  int64_t shape[2];
} act_array;

/* The message of the calling thread's last error ("" if none). */
const char *act_last_error(void);

/* target: "native", "x86-64-v3" or "x86-64-v4" (NULL: native); the GPU
 * targets of the C++ API are not offered here yet.
 * cache_directory: where compiled objects persist across processes (NULL or
 * "": nowhere). The JIT is safe to use from many threads at once. */
int act_jit_create(const char *target, const char *cache_directory,
                   act_jit **jit);
void act_jit_destroy(act_jit *jit);

/* activation: an op name of DESIGN.md section 3 ("gelu", "silu", ...).
 * options: NULL or space-separated name=value pairs: approximation=tanh,
 * alpha=, beta=, negative_slope=, threshold=. With gradient != 0 the kernel
 * computes dy * f'(x). */
int act_jit_elementwise(act_jit *jit, const char *activation,
                        const char *options, int gradient, act_dtype dtype,
                        act_accuracy accuracy, act_kernel **kernel);
/* y[i] = f(x[i]) (or dy[i] * f'(x[i])) for n elements of the kernel's dtype,
 * on up to `threads` threads. */
int act_kernel_run_elementwise(const act_kernel *kernel, const void *x,
                               const void *dy, void *y, int64_t n,
                               unsigned threads);

/* GLU: y = act(a) * b on [rows, cols] arrays, or with split != 0 on one
 * [rows, 2 cols] array whose first half is gated. */
int act_jit_glu(act_jit *jit, const char *activation, const char *options,
                int64_t cols, int split, act_dtype dtype, act_accuracy accuracy,
                act_kernel **kernel);
/* FFN: y = act(x W1 + b1) W2 + b2 (bias != 0) or act(x W1) W2, or with
 * gated != 0 y = (act(x Wg) * (x Wu)) Wd; x: [rows, model]. */
int act_jit_ffn(act_jit *jit, const char *activation, const char *options,
                int64_t model, int64_t hidden, int gated, int bias,
                act_dtype dtype, act_accuracy accuracy, act_kernel **kernel);
/* Runs a GLU or FFN kernel: the inputs in the formula's order, then y. */
int act_kernel_run_arrays(const act_kernel *kernel, const act_array *arrays,
                          size_t count);

/* Any module from MLIR text; call a function with act_kernel_invoke: args
 * are pointers to the arguments of its C interface (MLIR's packed
 * convention: for a memref argument, a pointer to a pointer to its
 * descriptor). */
int act_jit_module(act_jit *jit, const char *mlir, act_accuracy accuracy,
                   act_kernel **kernel);
int act_kernel_invoke(const act_kernel *kernel, const char *function,
                      void **args, size_t count);

/* Releases the handle; the JIT's cache keeps the code for other users. */
void act_kernel_destroy(act_kernel *kernel);

#ifdef __cplusplus
}
#endif

#endif /* ACT_C_JIT_H */
