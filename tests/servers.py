"""Real servers run on loopback for tests: ports, waiting, programs that may be missing."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env=None):
    """Run one of the site's management commands in a process of its own, with
    `env` added to the environment; its output (the test fails if it does)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds=20):
    """Wait until something listens on `port`; fail if `process` ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} ended with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing answered on port {port} within {seconds} s")


def program(name, *folders):
    """The path of `name`, looked for on PATH and in `folders`; without it
    the test is skipped, except in CI, where it fails."""
    path = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *folders]))
    if path is None:
        message = f"{name} is missing (make test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except TimeoutError:
        process.kill()
        process.wait()
