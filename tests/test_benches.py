"""Every benchmark still runs: each at a tiny size, to the end, printing its table.

The numbers are not checked (machines are noisy; benchmarks report, tests don't
time), only that the scripts work with today's code, so that the README's tables
can always be measured again.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow


def run_bench(*args: str, timeout: int = 600) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_ingest_eval_prints_its_table():
    out = run_bench("bench/ingest_eval.py", "--set", "fresh2")
    assert "| title" in out and "| fully_clean" in out


def test_build_bench_runs_against_hugo():
    out = run_bench("bench/build_bench.py", "--sizes", "20", "--full-runs", "2")
    assert "full, from scratch (median of 2 each, alternately)" in out
    assert "one article added" in out
    assert "briefing's stage times" in out


def test_search_bench_runs_against_pagefind():
    out = run_bench(
        "bench/search_bench.py", "--sizes", "5", "--first-queries", "1", "--recall-queries", "3"
    )
    assert "recall@10 ours" in out
    assert "| 1.000 |" in out or "| 0.9" in out  # recall is printed, not checked here
