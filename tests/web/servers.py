"""Real server processes for end-to-end tests: wait until they answer, stop them."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import requests

BOOT_SECONDS = 60  # workers check the content and train the classifier as they boot; slow on a busy machine


def wait_ready(process: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    """Until `/readyz` answers 200; fails with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or workers still booting
            time.sleep(0.1)
    pytest.fail(f"the server did not become ready:\n{log_path.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)
