/* act's C API from C: SiLU on four numbers, then two errors. */
#include "act-c/JIT.h"

#include <stdio.h>

int main(void) {
  act_jit *jit;
  act_kernel *silu;
  if (act_jit_create(NULL, NULL, &jit) ||
      act_jit_elementwise(jit, "silu", NULL, 0, ACT_F32, ACT_PRECISE, &silu)) {
    fprintf(stderr, "embed-c: %s\n", act_last_error());
    return 1;
  }
  float x[4] = {-4, -1, 1, 4}, y[4];
  if (act_kernel_run_elementwise(silu, x, NULL, y, 4, 1)) {
    fprintf(stderr, "embed-c: %s\n", act_last_error());
    return 1;
  }
  for (int i = 0; i < 4; ++i)
    printf("silu(%g) = %.6g\n", x[i], y[i]);

  act_kernel *unknown;
  if (act_jit_elementwise(jit, "swoosh", NULL, 0, ACT_F32, ACT_PRECISE,
                          &unknown))
    printf("unknown activation: %s\n", act_last_error());
  if (act_kernel_run_elementwise(silu, NULL, NULL, y, 4, 1))
    printf("null input: %s\n", act_last_error());
  act_kernel_destroy(silu);
  act_jit_destroy(jit);
  return 0;
}
