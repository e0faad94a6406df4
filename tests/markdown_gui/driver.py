"""Run the real app with one of the markdown scenarios; used by ``tests/test_markdown_app.py``.

    python tests/markdown_gui/driver.py SCENARIO OUT_DIR [sloppy arguments…]

Like ``tests/gui/driver.py`` (the same ``start`` and final-frame capture), with
the scenarios of ``tests/markdown_gui/scenarios.py``.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from src.core import cli
from src.core.gui import app
from tests.gui import scenarios as gui_scenarios
from tests.markdown_gui import scenarios


def main() -> int:
    name, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    scenario = getattr(scenarios, name)
    run_gui = app.run_gui

    def run_with_scenario(controller, args):
        code = run_gui(controller, args, automation=functools.partial(gui_scenarios.start, scenario, out))
        gui_scenarios.save_final_frame(out / "final.png")
        return code

    app.run_gui = run_with_scenario
    return cli.main(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
