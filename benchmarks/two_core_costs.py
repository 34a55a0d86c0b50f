"""What it would cost nnmath to share a W1 step between the two cores itself, each core taking half the rows.

    python benchmarks/two_core_costs.py

The blas steps leave the cores to OpenBLAS: each product is split between them, and everything
between the products runs on one core (engine/compiled/blas_epoch.py). Splitting the step itself
(each core forward and back through its 64 rows, then the update shared) needs a product of half
the rows on one thread, called from the code that holds the core, and a meeting point of the two
cores a few times a step. This prints, best of 5, in µs:

- W1's largest product, 128 x 784 times 784 x 256, by NumPy on its BLAS threads (as the blas steps
  take it), and the product of its first 64 rows by NumPy on one BLAS thread;
- the same half by Numba's np.dot (which reaches SciPy's copy of OpenBLAS, not NumPy's), alone and
  on two Numba threads at once (a prange of two, one half each);
- the cost of meeting: a Numba parallel region of two threads that does nothing, and a round trip
  between two Python threads (a lock released by one, acquired by the other, and back).

A split pays where two halves on two threads beat NumPy's whole product and the meetings cost a
few µs; docs/performance.md says what these were on the machine's CPUs.
"""
from __future__ import annotations

import _thread
import argparse
import sys
import threading
import time

import numpy as np
import scipy.linalg.cython_blas  # noqa: F401  the BLAS Numba's np.dot calls, loaded now so that threadpool_limits finds it
from numba import njit, prange
from threadpoolctl import threadpool_limits

ROWS, N_IN, N_OUT = 128, 784, 256


@njit(nogil=True, cache=True)
def _half(a, W, z, h):
    """Rows h * m/2 to (h + 1) * m/2 of z = a W, by Numba's np.dot; a and z come flat (C order),
    so that each half is a contiguous block and np.dot takes it as it is."""
    n_in, n = W.shape
    rows = a.size // n_in // 2
    np.dot(a[h * rows * n_in:(h + 1) * rows * n_in].reshape((rows, n_in)), W,
           z[h * rows * n:(h + 1) * rows * n].reshape((rows, n)))


@njit(nogil=True, parallel=True, cache=True)
def _both_halves(a, W, z):
    for h in prange(2):
        _half(a, W, z, h)


@njit(nogil=True, parallel=True, cache=True)
def _empty_regions(flags, times):
    for _ in range(times):
        for h in prange(2):
            flags[h] += 1


def best_us(call, repeats: int) -> float:
    """The best of 5 runs of ``repeats`` calls, in µs a call."""
    call()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best * 1e6


def thread_round_trip_us(times: int) -> float:
    """µs of a hand-off from one Python thread to another and back (two locks, as a barrier would use)."""
    there, back = _thread.allocate_lock(), _thread.allocate_lock()
    there.acquire()
    back.acquire()

    def other() -> None:
        for _ in range(times):
            there.acquire()
            back.release()

    helper = threading.Thread(target=other)
    helper.start()
    start = time.perf_counter()
    for _ in range(times):
        there.release()
        back.acquire()
    seconds = time.perf_counter() - start
    helper.join()
    return seconds / times * 1e6


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=200, help="calls per run (the best of 5 runs counts)")
    a = p.parse_args(argv)
    if a.repeats < 1:
        print("two_core_costs.py: --repeats takes a positive number", file=sys.stderr)
        return 2
    rng = np.random.default_rng(0)
    A = rng.standard_normal((ROWS, N_IN)).astype(np.float32)
    W = rng.standard_normal((N_IN, N_OUT)).astype(np.float32)
    Z = np.empty((ROWS, N_OUT), np.float32)
    half = ROWS // 2
    whole = best_us(lambda: np.matmul(A, W, out=Z), a.repeats)
    with threadpool_limits(1, user_api="blas"):  # every BLAS on one thread, as a split would run them
        numpy_half = best_us(lambda: np.matmul(A[:half], W, out=Z[:half]), a.repeats)
        numba_half = best_us(lambda: _half(A.reshape(-1), W, Z.reshape(-1), 0), a.repeats)
        numba_both = best_us(lambda: _both_halves(A.reshape(-1), W, Z.reshape(-1)), a.repeats)
        expected = A @ W
    if not np.allclose(Z, expected, rtol=1e-4, atol=1e-3):
        print("two_core_costs.py: the halves did not multiply to the whole product", file=sys.stderr)
        return 1
    flags = np.zeros(2, np.int64)
    region = best_us(lambda: _empty_regions(flags, 100), max(1, a.repeats // 10)) / 100
    trip = thread_round_trip_us(20 * a.repeats)
    print(f"W1's largest product ({ROWS} x {N_IN} times {N_IN} x {N_OUT}), µs, best of 5 runs of {a.repeats}:")
    print(f"    NumPy, its BLAS threads, all {ROWS} rows            {whole:8.1f}")
    print(f"    NumPy, one BLAS thread, {half} rows                   {numpy_half:8.1f}")
    print(f"    Numba's np.dot (SciPy's BLAS), {half} rows            {numba_half:8.1f}")
    print(f"    Numba's np.dot, two halves on two threads at once {numba_both:8.1f}")
    print("meeting points, µs:")
    print(f"    a Numba parallel region of two threads, no work   {region:8.1f}")
    print(f"    a round trip between two Python threads           {trip:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
