"""``nnmath playground`` on the command line: its help, its errors, and a real launch on loopback."""
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nnmath.cli import main

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_help_names_the_address_and_the_options(capsys):
    with pytest.raises(SystemExit) as e:
        main(["playground", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "127.0.0.1" in out and "--port" in out and "--no-browser" in out


def test_a_bad_port_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["playground", "--port", "70000"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "a port is a whole number from 1 to 65535" in err and len(err.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["playground", "--port", str(port), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nnmath: error: cannot listen on 127.0.0.1:{port}") and len(err.strip().splitlines()) == 1


def test_the_command_serves_the_page_with_its_token_and_stops_on_ctrl_c():
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen([sys.executable, "-m", "nnmath", "playground", "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("nnmath playground: http://127.0.0.1:"), line
        url = line.split(": ", 1)[1].strip()
        with urllib.request.urlopen(url, timeout=20) as page:
            assert page.status == 200 and "nnmath playground" in page.read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url.split("?")[0], timeout=20)
        assert refused.value.code == 403
        refused.value.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
