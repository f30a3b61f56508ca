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

/* A row-major array: rank 1 to 4, shape[rank..3] unused. */
typedef struct {
  void *data;
  int64_t rank;
  int64_t shape[4];
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
/* The FFN of act_jit_ffn on weights packed once: *packer takes W1, W2
 * (or Wg, Wu, Wd) and writes the packed W1, W2 (or [Wg | Wu], Wd); *kernel
 * takes x, the packed weights (and biases, in act_jit_ffn's order), then y.
 * The packed shapes come from act_kernel_array_shape. */
int act_jit_ffn_packed(act_jit *jit, const char *activation,
                       const char *options, int64_t model, int64_t hidden,
                       int gated, int bias, act_dtype dtype,
                       act_accuracy accuracy, act_kernel **kernel,
                       act_kernel **packer);
/* Runs a GLU or FFN kernel (or an FFN weight packer): the inputs in the
 * formula's order, then the output(s). */
int act_kernel_run_arrays(const act_kernel *kernel, const act_array *arrays,
                          size_t count);
/* The rank and shape that array `index` of a GLU or FFN kernel must have
 * (shape -1: the free row count); `shape->data` is set to NULL. Fails past
 * the last array. */
int act_kernel_array_shape(const act_kernel *kernel, size_t index,
                           act_array *shape);

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
