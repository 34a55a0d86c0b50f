r"""The sigmoid S(z) = 1 / (1 + e^{-z}) and the softmax e^{z_k} / Σ_j e^{z_j} over a block of numbers,
in loops that LLVM vectorises.

Numba compiles ``math.exp`` to one call of the C library's exp per number (2.3 ns in float32 here),
which no loop around it can vectorise; in a W1 step (49,152 hidden units a step) that was ~110 µs,
more than a tenth of the step. Here e^{x} is written out as its textbook reduction, all in
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
The softmax takes e^{z_k - max_j z_j} the same way (x <= 0: it never overflows).
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
    one, hi, lo = dt(1), dt(top), dt(-top)
    for q in range(z.size):
        e_r, n = _reduced(min(max(-z[q], lo), hi), a)
        a[q] = e_r
        bits[q] = _two_to_the(n, bits, mantissa_bits, bias)
    two_to_n = bits.view(a.dtype)
    for q in range(z.size):
        v = z[q]
        s = one / (one + a[q] * two_to_n[q])  # 1 / (1 + e^{-z})
        a[q] = s if -v <= hi else (v if v != v else dt(0))  # z below -top: 0; NaN stays NaN


@_jit
def softmax(z, a, scratch):
    """a = softmax(z) row by row, e^{z_ik - max_j z_ij} / Σ_j e^{z_ij - max_j z_ij}, for the m x n arrays
    z and a (C order); ``scratch`` is an array like them, overwritten. A NaN in a row makes it NaN."""
    flat_z, flat_a, flat_s = z.reshape(z.size), a.reshape(a.size), scratch.reshape(scratch.size)
    if a.itemsize == 4:
        _softmax(z.shape[1], flat_z, flat_a, flat_s.view(np.int32), 23, 127, 88.0)
    else:
        _softmax(z.shape[1], flat_z, flat_a, flat_s.view(np.int64), 52, 1023, 708.0)


@_jit
def _softmax(width, z, a, bits, mantissa_bits, bias, top):
    dt = a.dtype.type
    lo = dt(-top)
    for start in range(0, z.size, width):
        largest = z[start]
        for q in range(start, start + width):
            largest = max(largest, z[q])
        for q in range(start, start + width):
            x = z[q] - largest  # <= 0, or NaN (kept: the row comes out NaN)
            e_r, n = _reduced(max(x, lo) if x == x else x, a)
            a[q] = dt(0) if x < lo else e_r  # below -top: 0, as the sigmoid gives 0 there
            bits[q] = _two_to_the(n, bits, mantissa_bits, bias)
    two_to_n = bits.view(a.dtype)
    for start in range(0, z.size, width):
        total = dt(0)
        for q in range(start, start + width):
            a[q] *= two_to_n[q]
            total += a[q]
        for q in range(start, start + width):
            a[q] /= total


@_jit
def _reduced(x, like):
    """e^x = 2^n e^r: returns (e^r, n) in the dtype of the array ``like``, n a whole number kept a
    float. math.floor would give a 64-bit integer, and without AVX-512 (the AMD CPU) no vector
    instruction converts to one, so a loop around it ran a number at a time."""
    dt = like.dtype.type
    half, one = dt(0.5), dt(1)
    n = np.floor(x * dt(LOG2_E) + half)  # the nearest whole number to x / ln 2
    r = x - n * dt(LN2_HEAD) - n * dt(LN2_TAIL)
    # e^r by Horner's rule: 1 + r (1 + r/2 (1 + r/3 (...)))
    if like.itemsize == 4:
        e_r = ((((((dt(1 / 5040) * r + dt(1 / 720)) * r + dt(1 / 120)) * r + dt(1 / 24)) * r + dt(1 / 6)) * r
                + half) * r + one) * r + one
    else:
        e_r = ((((((((((((dt(1 / 6227020800) * r + dt(1 / 479001600)) * r + dt(1 / 39916800)) * r
                        + dt(1 / 3628800)) * r + dt(1 / 362880)) * r + dt(1 / 40320)) * r + dt(1 / 5040)) * r
                    + dt(1 / 720)) * r + dt(1 / 120)) * r + dt(1 / 24)) * r + dt(1 / 6)) * r + half) * r
               + one) * r + one
    return e_r, n


@_jit
def _two_to_the(n, bits, mantissa_bits, bias):
    """The float 2^n as the bits of an integer of ``bits``' type: |n| <= 1022, so it goes through a 32-bit
    integer (a vector instruction on every x86-64)."""
    return (bits.dtype.type(np.int32(n)) + bias) << mantissa_bits
