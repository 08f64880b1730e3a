"""Running the `rejoinder` command as an operator would, from tests."""

import subprocess
import sys


def rejoinder(env, *args, timeout=180):
    """Run ``rejoinder ARGS`` with exactly ``env``; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "rejoinder", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_line(result):
    """The last line a command printed (Django's shell prints a banner first)."""
    return result.stdout.strip().splitlines()[-1]
