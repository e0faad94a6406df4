"""Run the real app (``sloppy.py``'s CLI) with a test-engine scenario; used by the GUI tests.

    python tests/gui/driver.py SCENARIO OUT_DIR [sloppy arguments…]

SCENARIO is a function of ``tests/gui/scenarios.py``, or ``package.module:name``
for another suite's scenarios (``tests.themes_gui.scenarios:theme_switch``).
The scenario drives the window through
imgui's test engine and writes ``OUT_DIR/result.json``; the last frame is
saved as ``OUT_DIR/final.png``. Everything else is the ordinary CLI path,
``_finish`` and its ``os._exit`` included.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from src.core import cli
from src.core.gui import app
from tests.gui import scenarios


def main() -> int:
    name, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    module, _, function = name.rpartition(":")
    scenario = getattr(importlib.import_module(module) if module else scenarios, function)
    run_gui = app.run_gui

    def run_with_scenario(controller, args):  # the CLI's call, with the scenario attached
        code = run_gui(controller, args, automation=functools.partial(scenarios.start, scenario, out))
        scenarios.save_final_frame(out / "final.png")
        return code

    app.run_gui = run_with_scenario
    return cli.main(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
