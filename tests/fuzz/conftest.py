"""Hypothesis profiles for the fuzz tests: "ci" (the default) is derandomized with fixed case counts,
so every run tries the same cases and the fuzz tests stay within about two minutes on two cores;
"long" (``pytest tests/fuzz --hypothesis-profile=long``) tries ten times as many, from random seeds,
and prints how many it tried (``-s``, or hypothesis's ``--hypothesis-show-statistics``)."""
from __future__ import annotations

import contextlib
import signal
import warnings

from hypothesis import HealthCheck, settings

CASES = {"ci": 1, "long": 10}  # a multiplier of each test's own case count
QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
with warnings.catch_warnings():
    # hypothesis's plugin imports this on a failure, and libcst beneath it warns of a deprecation, which
    # (warnings are errors here) would hide the falsifying example behind an INTERNALERROR: import it now
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):
        import hypothesis.extra._patching  # noqa: F401
settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=QUIET, database=None,
                          print_blob=True)
settings.register_profile("long", derandomize=False, deadline=None, suppress_health_check=QUIET, database=None,
                          print_blob=True)
if settings.get_current_profile_name() not in CASES:  # not chosen with --hypothesis-profile
    settings.load_profile("ci")


def cases(n: int) -> int:
    """The number of cases for a test whose ci count is ``n``, under the current profile."""
    return n * CASES.get(settings.get_current_profile_name(), 1)


class Hang(Exception):
    """A case ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise Hang in the code under test when it runs longer than ``seconds`` (a blocking open of a FIFO
    included: the signal interrupts it)."""
    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
