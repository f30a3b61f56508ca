/* Links an act kernel compiled ahead of time and checks it against a
   double-precision reference written here, not by act. */
#include <math.h>
#include <stdio.h>

#include "act_silu.h"
#include "act_gelu_grad.h"

int main(void) {
  enum { N = 37 }; /* not a multiple of the vector width: exercises the tail */
  float x[N], dy[N], y[N], g[N];
  for (int i = 0; i < N; ++i) {
    x[i] = -9.0f + 0.5f * (float)i;
    dy[i] = 1.0f;
  }
  act_silu(x, y, N);
  act_gelu_grad(x, dy, g, N);
  int failures = 0;
  for (int i = 0; i < N; ++i) {
    double xd = x[i];
    double silu = xd / (1.0 + exp(-xd));
    double gelu_grad = 0.5 * erfc(-xd / sqrt(2.0)) +
                       xd * exp(-0.5 * xd * xd) / sqrt(2.0 * 3.14159265358979323846);
    if (fabs(y[i] - silu) > 1e-6 * fabs(silu) + 1e-30 ||
        fabs(g[i] - gelu_grad) > 1e-6 * fabs(gelu_grad) + 1e-12) {
      printf("FAIL x=%g silu=%g (want %g) gelu_grad=%g (want %g)\n", xd, y[i],
             silu, g[i], gelu_grad);
      ++failures;
    }
  }
  printf("%d failures out of %d\n", failures, N);
  return failures != 0;
}
