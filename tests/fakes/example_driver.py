"""Drive the real app in a fresh process: warm up, then chat with the ``ollama`` provider if present.

Usage: ``python -m tests.fakes.example_driver CONFIG PROJECT [--cancel]``; prints one JSON object.
Run in a subprocess so that a plugin installed for the test stays out of the test process.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from src.core.chat import ChatSession
from src.core.config import load_config
from src.core.controller import AppController


def main(argv: list[str]) -> int:
    config_path, project = Path(argv[0]), Path(argv[1])
    controller = AppController(
        load_config(config_path), options={"project": project}, mode="headless", disabled_kinds={"web": "off"}
    )
    controller.chat = ChatSession(controller, project)
    controller.start()
    out: dict = {"warmed": controller.wait_for_warmup(60) and controller.chat.wait_idle(10)}
    status = controller.warmup_status()
    out["plugins"] = {p.name: {"state": p.state.value, "distribution": p.distribution} for p in status.plugins}
    out["providers"] = sorted(controller.providers())
    out["imported"] = "sloppy_ollama" in sys.modules
    if "ollama" in controller.providers():
        chat = controller.chat
        chat.set_provider("ollama")
        chat.set_persona("coder")
        chat.send("hello")
        chat.wait_idle(20)
        out["answer"] = asdict(chat.snapshot().messages[-1])
        if "--cancel" in argv:
            chat.send("a long one")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and chat.snapshot().messages[-1].content != "Hello":
                time.sleep(0.01)
            t0 = time.monotonic()
            chat.cancel()
            while chat.snapshot().busy and time.monotonic() < t0 + 5:
                time.sleep(0.005)
            out["cancel_s"] = time.monotonic() - t0
            out["cancelled"] = asdict(chat.snapshot().messages[-1])
    print(json.dumps(out))
    controller.shutdown(timeout=3.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
