"""Start-up cost: importing the bot does not import the chart renderer."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.process import ROOT


def test_importing_the_bot_does_not_import_matplotlib() -> None:
    code = (
        "import sys, bot.app\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
