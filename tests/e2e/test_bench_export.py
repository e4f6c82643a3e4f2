"""A tiny run of the export benchmark: both ways write the same files, and it reports."""

from __future__ import annotations

from tests.e2e.process import run_bench


def test_the_export_benchmark_runs_on_a_small_database() -> None:
    result = run_bench("bench/export.py", "--pages", "60", "--reports", "250")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # Every pair ran, wrote the same rows (and, for CSV, the same bytes) both ways.
    for kind, rows in (("pages", "60"), ("reports", "250")):
        for fmt in ("xlsx", "csv"):
            for way in ("streamed ", "in memory"):
                assert any(
                    line.startswith(f"{kind:8} {fmt:4} {way}") and f" {rows} rows" in line
                    for line in lines
                ), (kind, fmt, way, result.stdout)
            assert any(line.startswith(f"{kind:8} {fmt:4} ratio") for line in lines)
