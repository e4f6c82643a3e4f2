"""Tiny runs of the benchmarks that run on both engines: each engine filled, both paths
agreeing (the benchmarks exit non-zero otherwise), and a ratio printed per engine."""

from __future__ import annotations

import pytest

from tests.e2e.process import run_bench
from tests.postgres import binaries_missing

#: The engines a run must report on: PostgreSQL only where its binaries are.
ENGINES = ["SQLite"] if binaries_missing() else ["SQLite", "PostgreSQL"]


@pytest.mark.parametrize(
    ("script", "arguments", "ratio"),
    [
        (
            "bench/totals.py",
            [
                *("--pages", "60", "--reports", "600"),
                *("--runs", "2", "--naive-runs", "1", "--calls", "20"),
            ],
            "ratio naive / /total:",
        ),
        (
            "bench/digest.py",
            ["--admins", "20", "--pages", "40", "--sample", "10"],
            "ratio per user / batched:",
        ),
    ],
)
def test_the_benchmark_runs_on_each_engine(script: str, arguments: list[str], ratio: str) -> None:
    result = run_bench(script, *arguments)
    assert result.returncode == 0, result.stdout + result.stderr
    sections = result.stdout.split("== ")[1:]
    assert [section.split(" ==")[0] for section in sections] == ENGINES, result.stdout
    for section in sections:
        assert ratio in section, result.stdout
    if script == "bench/totals.py":
        assert sections[0].count(", ratio ") == 3, result.stdout  # the storage layer's units
        if len(ENGINES) == 2:
            assert "both engines: the same figures from the same data" in result.stdout
