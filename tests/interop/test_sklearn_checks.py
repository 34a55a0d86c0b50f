"""scikit-learn's own estimator checks, run over both nnmath estimators.

The estimators get small networks and few epochs so the ~110 checks stay fast; every check
runs and none is marked as expected to fail. One check needs the environment variable
SCIPY_ARRAY_API=1 set before scipy is imported (scikit-learn skips it otherwise), so that one
runs, for both estimators at once, in a fresh Python process with the variable set.
"""
import functools
import os
import subprocess
import sys

from sklearn.utils.estimator_checks import parametrize_with_checks

from nnmath.interop.sklearn import NetworkClassifier, NetworkRegressor

FAST = dict(hidden_layer_sizes=(8,), epochs=40, learning_rate=0.02, random_state=0)
ESTIMATORS = [NetworkClassifier(**FAST), NetworkRegressor(**FAST)]


@functools.lru_cache(maxsize=None)
def _array_api_run(keywords):
    """Run check_array_api_input over every estimator in one process with SCIPY_ARRAY_API=1;
    returns {estimator index: "passed" or the traceback}."""
    code = ("import traceback\n"
            "from sklearn.utils.estimator_checks import check_array_api_input\n"
            "from nnmath.sklearn import NetworkClassifier, NetworkRegressor\n"
            f"for i, estimator in enumerate([{', '.join(map(repr, ESTIMATORS))}]):\n"
            "    try:\n"
            f"        check_array_api_input(type(estimator).__name__, estimator, **dict({keywords}))\n"
            "        print(i, 'passed')\n"
            "    except Exception:\n"
            "        print(i, repr(traceback.format_exc()))\n")
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    if check.func.__name__ == "check_array_api_input" and os.environ.get("SCIPY_ARRAY_API") != "1":
        assert check.args == (type(estimator).__name__,)
        results = _array_api_run(repr(tuple(sorted(check.keywords.items()))))
        index = [type(e) for e in ESTIMATORS].index(type(estimator))
        assert results[str(index)] == "passed", results[str(index)]
    else:
        check(estimator)
