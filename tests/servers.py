"""Real servers run on loopback for tests: ports, waiting, programs that may be missing."""

import os
import shutil
import socket
import time

import pytest


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
