"""README.md's engine example runs and prints what the README says it prints."""
import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_engine_example_prints_what_the_readme_shows():
    section = README[README.index("## The engine\n"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"prints `(.*?)`", section).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue().strip()
    # the gradient-check error is rounding noise (1e-10 here, 1e-11 there): compare its exponent range only
    head, error = printed.rsplit(" ", 1)
    shown_head, shown_error = shown.rsplit(" ", 1)
    assert head == shown_head
    assert float(error) < 1e-7 and float(shown_error) < 1e-7


def test_the_explain_example_runs_on_its_own():
    """The explain/explain_step block is self-contained and its network is within explain_step's limit
    (the engine example's 30-16-1 network, 513 parameters, is not; issue 15 item 13)."""
    section = README[README.index("## Explain the math\n"):README.index("## The vanishing-gradient lab")]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["d"].summary["grad"] == scope["d"].summary["backprop"]
    assert "explain_step(" in code and "Network([30, 16, 1]" not in code
