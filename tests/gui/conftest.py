"""GUI test helpers: run the real app under Xvfb with a test-engine scenario, keep its screenshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "gui"
# Built-in plugins whose SDK imports take seconds; most GUI tests do without them.
HEAVY_BUILTINS = "anthropic,gemini,openai,deepseek,minimax"


@dataclass
class AppRun:
    returncode: int
    result: dict
    out: Path
    stdout: str
    stderr: str
    ended_at: float  # time.time() when the process had exited


@pytest.fixture
def run_app(display, request, tmp_path):
    """``run_app(scenario, *sloppy_args, env={}, site=None, timeout=90)`` → :class:`AppRun`."""

    def run(scenario: str, *args: str, env: dict | None = None, site: Path | None = None, timeout: float = 90):
        out = ARTIFACTS / request.node.name
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            old.unlink()
        environ = dict(os.environ, DISPLAY=display, SLOPPY_DISABLE_PLUGINS=HEAVY_BUILTINS, **(env or {}))
        if site is not None:
            environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), environ.get("PYTHONPATH")]))
        proc = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "gui" / "driver.py"), scenario, str(out), *args],
            check=False,
            cwd=tmp_path,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        ended = time.time()
        (out / "stdout.txt").write_text(proc.stdout)
        (out / "stderr.txt").write_text(proc.stderr)
        result_file = out / "result.json"
        result = json.loads(result_file.read_text()) if result_file.exists() else {}
        assert result, f"the scenario wrote no result (rc={proc.returncode}):\n{proc.stderr[-3000:]}"
        assert "exception" not in result, result["exception"]
        return AppRun(proc.returncode, result, out, proc.stdout, proc.stderr, ended)

    return run


def count_pixels(png: Path, colour: tuple[int, int, int], box: tuple[int, int, int, int], tolerance: int = 40) -> int:
    """Pixels within ``tolerance`` of ``colour`` inside ``box`` = (left, top, right, bottom); negatives count from the end."""
    image = Image.open(png).convert("RGB")
    w, h = image.size
    left, top, right, bottom = (v if v >= 0 else size + v for v, size in zip(box, (w, h, w, h), strict=True))
    hits = 0
    for x in range(left, right):
        for y in range(top, bottom):
            r, g, b = image.getpixel((x, y))
            if abs(r - colour[0]) <= tolerance and abs(g - colour[1]) <= tolerance and abs(b - colour[2]) <= tolerance:
                hits += 1
    return hits
