"""scikit-learn's own estimator checks, run over both nnmath estimators.

The estimators get small networks and few epochs so the ~110 checks stay fast; every check
runs and none is marked as expected to fail. One check needs the environment variable
SCIPY_ARRAY_API=1 set before scipy is imported (scikit-learn skips it otherwise), so that one
runs in a fresh Python process with the variable set.
"""
import os
import subprocess
import sys

from sklearn.utils.estimator_checks import parametrize_with_checks

from nnmath.sklearn import NetworkClassifier, NetworkRegressor

FAST = dict(hidden_layer_sizes=(8,), epochs=40, learning_rate=0.02, random_state=0)
ESTIMATORS = [NetworkClassifier(**FAST), NetworkRegressor(**FAST)]


def _run_with_array_api(estimator, check):
    """Run ``check`` (a functools.partial of a scikit-learn check) in a process with SCIPY_ARRAY_API=1."""
    code = ("from sklearn.utils import estimator_checks\n"
            "from nnmath.sklearn import NetworkClassifier, NetworkRegressor\n"
            f"estimator = {estimator!r}\n"
            f"estimator_checks.{check.func.__name__}(*{check.args!r}, estimator, **{check.keywords!r})\n"
            "print('check passed')\n")
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "check passed" in done.stdout, done.stderr


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    if check.func.__name__ == "check_array_api_input" and os.environ.get("SCIPY_ARRAY_API") != "1":
        _run_with_array_api(estimator, check)
    else:
        check(estimator)
