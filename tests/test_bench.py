"""`make bench` with no arguments runs every part, one after another, each in its own database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import bench

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_every_part_of_the_bench_runs_one_after_another(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--departments", "2", "--cards", "1"]
        + ["--readers-seconds", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    headings = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert len(headings) == len(bench.PARTS)
