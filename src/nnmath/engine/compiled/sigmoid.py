r"""The sigmoid S(z) = 1 / (1 + e^{-z}) over a block of numbers, in loops that LLVM vectorises.

Numba compiles ``math.exp`` to one call of the C library's exp per number (2.3 ns in float32 here),
which no loop around it can vectorise; in a W1 step (49,152 hidden units a step) that was ~110 µs,
more than a tenth of the step. Here e^{x}, x = -z, is written out as its textbook reduction, all in
arithmetic that runs in vector lanes:

    x = n ln 2 + r,   n = round(x / ln 2),   |r| <= ln 2 / 2
    e^{x} = 2^n e^{r},   e^{r} = Σ_{k=0}^{K} r^k / k!   (K = 7 in float32, 13 in float64: the
                                                          next term is below half a unit in the last place)

and 2^n is built directly as the bits of a float (exponent field n + bias, mantissa 0), written to an
integer array and read back through a view of it. ln 2 is split in a short head (exact times any n)
and a tail, so r keeps its precision. x is clamped to ±``top`` (e^{x} stays finite); beyond it
S(z) is 0 (z below -top, where the exact value is subnormal: 6e-39 at z = -88 in float32) or 1,
and a NaN stays NaN, so a diverging step is still seen. For z >= -top the result agrees with
1 / (1 + exp(-z)) to within 2 units in the last place in both dtypes (tests/engine/test_compiled_sigmoid.py).
"""

import numpy as np
from numba import njit

_jit = njit(cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")

LOG2_E = 1.4426950408889634  # 1 / ln 2
LN2_HEAD = 0.693145751953125  # ln 2 = LN2_HEAD + LN2_TAIL; the head has 16 significant bits, so n LN2_HEAD is exact
LN2_TAIL = 1.4286068203094172e-06


@_jit
def sigmoid(z, a, scratch):
    """a = S(z) for the m x n arrays z and a (C order); ``scratch`` is an array like them, overwritten."""
    flat_z, flat_a, flat_s = z.reshape(z.size), a.reshape(a.size), scratch.reshape(scratch.size)
    if a.itemsize == 4:  # float32: 8 exponent bits (bias 127) above 23 mantissa bits
        _sigmoid(flat_z, flat_a, flat_s.view(np.int32), 23, 127, 88.0)
    else:  # float64: 11 exponent bits (bias 1023) above 52 mantissa bits
        _sigmoid(flat_z, flat_a, flat_s.view(np.int64), 52, 1023, 708.0)


@_jit
def _sigmoid(z, a, bits, mantissa_bits, bias, top):
    dt = a.dtype.type
    one, half, hi, lo = dt(1), dt(0.5), dt(top), dt(-top)
    log2_e, ln2_head, ln2_tail = dt(LOG2_E), dt(LN2_HEAD), dt(LN2_TAIL)
    for q in range(z.size):
        x = min(max(-z[q], lo), hi)
        # The nearest whole number to x / ln 2, kept a float: math.floor would give a 64-bit integer, and
        # without AVX-512 (the AMD CPU) no vector instruction converts to one, so the loop ran a number at a time.
        n = np.floor(x * log2_e + half)
        r = x - n * ln2_head - n * ln2_tail
        # e^r by Horner's rule: 1 + r (1 + r/2 (1 + r/3 (...)))
        if a.itemsize == 4:
            e_r = ((((((dt(1 / 5040) * r + dt(1 / 720)) * r + dt(1 / 120)) * r + dt(1 / 24)) * r + dt(1 / 6)) * r
                    + half) * r + one) * r + one
        else:
            e_r = ((((((((((((dt(1 / 6227020800) * r + dt(1 / 479001600)) * r + dt(1 / 39916800)) * r
                            + dt(1 / 3628800)) * r + dt(1 / 362880)) * r + dt(1 / 40320)) * r + dt(1 / 5040)) * r
                        + dt(1 / 720)) * r + dt(1 / 120)) * r + dt(1 / 24)) * r + dt(1 / 6)) * r + half) * r
                   + one) * r + one
        a[q] = e_r
        # The float 2^n, as bits: |n| <= 1022, so it goes through a 32-bit integer (a vector instruction on every x86-64).
        bits[q] = (bits.dtype.type(np.int32(n)) + bias) << mantissa_bits
    two_to_n = bits.view(a.dtype)
    for q in range(z.size):
        v = z[q]
        s = one / (one + a[q] * two_to_n[q])  # 1 / (1 + e^{-z})
        a[q] = s if -v <= hi else (v if v != v else dt(0))  # z below -top: 0; NaN stays NaN
