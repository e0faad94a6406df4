"""Third-party plugins installed as real distributions (a ``.dist-info`` with entry points) in a temp folder."""

from __future__ import annotations

from pathlib import Path

SLOW = '''"""Takes a while to import, like an SDK: SLOPPYTEST_SLOW_S seconds (default 1), or until the file
SLOPPYTEST_GATE names exists (a test opens the gate when it has done what it wanted to do while warming)."""
import os
import time

gate = os.environ.get("SLOPPYTEST_GATE")
if gate:
    deadline = time.monotonic() + 120
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
else:
    time.sleep(float(os.environ.get("SLOPPYTEST_SLOW_S", "1.0")))
'''

BROKEN = '''"""Fails at import, as a plugin with a missing dependency does."""
raise ImportError("sloppytest_broken needs the package 'no_such_dependency'; install it")
'''

HANGS = '''"""Never finishes importing."""
import time

time.sleep(600)
'''

FAKECHAT = '''"""Two providers that speak OpenAI's wire protocol through the real SDK to a loopback server."""
import os

import openai

from src.core import hookimpl
from src.core.providers import KeyStatus


class FakeChat:
    def __init__(self, name, label, models):
        self.name, self.label, self.models, self.default_model = name, label, models, models[0]
        self._client = openai.AsyncOpenAI(
            base_url=os.environ["FAKECHAT_BASE_URL"], api_key=os.environ.get("FAKECHAT_API_KEY") or "unset",
            max_retries=0,
        )

    def key_status(self):
        return KeyStatus(bool(os.environ.get("FAKECHAT_API_KEY")), "FAKECHAT_API_KEY")

    async def stream(self, request):
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        stream = await self._client.chat.completions.create(
            model=request.model, messages=messages, stream=True, max_tokens=request.max_tokens
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content


@hookimpl
def sloppy_register_providers(register):
    register(FakeChat("fakechat", "Fake Chat A", ["fake-small", "fake-large"]))
    register(FakeChat("fakechat2", "Fake Chat B", ["b-1", "b-2"]))
'''

# The fake-chat providers behind SLOW's gate: a provider plugin that is still warming until the test opens it.
SLOWCHAT = SLOW + FAKECHAT.split('"""', 2)[2].replace('"fakechat"', '"slowchat"').replace('"fakechat2"', '"slowchat2"')

THEME = '''"""A theme plugin: a warm window background, applied by the GUI thread."""
import os
import time

from imgui_bundle import imgui

from src.core import hookimpl


class Sunset:
    name = "sunset"
    label = "Sunset (test)"

    def apply(self):
        imgui.get_style().set_color_(imgui.Col_.window_bg, imgui.ImVec4(0.40, 0.12, 0.06, 1.0))

    def draw_background(self, draw_list, size, t):
        pass


time.sleep(float(os.environ.get("SLOPPYTEST_THEME_DELAY_S", "0")))


@hookimpl
def sloppy_register_themes(register):
    register(Sunset())
'''

BACKDROP_THEME = '''"""A theme with a background effect: green on the left half, under half-transparent blue panels."""
from imgui_bundle import imgui

from src.core import hookimpl


class Halves:
    name = "halves"
    label = "Halves (test)"

    def apply(self):
        imgui.get_style().set_color_(imgui.Col_.window_bg, imgui.ImVec4(0.0, 0.0, 1.0, 0.5))

    def draw_background(self, draw_list, size, t):
        green = imgui.color_convert_float4_to_u32(imgui.ImVec4(0.0, 1.0, 0.0, 1.0))
        draw_list.add_rect_filled(imgui.ImVec2(0, 0), imgui.ImVec2(size[0] / 2, size[1]), green)


@hookimpl
def sloppy_register_themes(register):
    register(Halves())
'''

DRAWS = '''"""Draws its own window every frame through sloppy_gui_frame."""
from imgui_bundle import imgui

from src.core import hookimpl

FRAMES = []


@hookimpl
def sloppy_gui_frame(gui):
    FRAMES.append(gui.clock.swaps)
    imgui.begin("Drawn by a plugin")
    imgui.text(f"frames drawn: {len(FRAMES)}")
    imgui.end()
'''

BAD_FRAME = '''"""Raises in sloppy_gui_frame, in the middle of a window."""
from imgui_bundle import imgui

from src.core import hookimpl

CALLS = []


@hookimpl
def sloppy_gui_frame(gui):
    CALLS.append(1)
    imgui.begin("Half drawn")
    raise RuntimeError("this plugin cannot draw")
'''

BAD_PROVIDER = '''"""A provider whose label raises: the Providers panel must survive it."""
from src.core import hookimpl


class Broken:
    name = "broken_provider"
    models = ["m"]
    default_model = "m"

    @property
    def label(self):
        raise RuntimeError("label exploded")


@hookimpl
def sloppy_register_providers(register):
    register(Broken())
'''

SOURCES = {
    "sloppytest_slow": SLOW,
    "sloppytest_broken": BROKEN,
    "sloppytest_hangs": HANGS,
    "sloppytest_fakechat": FAKECHAT,
    "sloppytest_slowchat": SLOWCHAT,
    "sloppytest_theme": THEME,
    "sloppytest_backdrop": BACKDROP_THEME,
    "sloppytest_draws": DRAWS,
    "sloppytest_badframe": BAD_FRAME,
    "sloppytest_badprovider": BAD_PROVIDER,
}
KINDS = {
    "sloppytest_slow": "tool",
    "sloppytest_broken": "tool",
    "sloppytest_hangs": "tool",
    "sloppytest_fakechat": "provider",
    "sloppytest_slowchat": "provider",
    "sloppytest_theme": "theme",
    "sloppytest_backdrop": "theme",
    "sloppytest_draws": "tool",
    "sloppytest_badframe": "tool",
    "sloppytest_badprovider": "provider",
}


def install(site: Path, *modules: str) -> Path:
    """Install each module as its own distribution ``<module>-1.0`` in ``site``; plugin name = module name."""
    site.mkdir(parents=True, exist_ok=True)
    for module in modules:
        (site / f"{module}.py").write_text(SOURCES[module], encoding="utf-8")
        dist = site / f"{module}-1.0.dist-info"
        dist.mkdir(exist_ok=True)
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8")
        (dist / "entry_points.txt").write_text(
            f"[sloppy.plugins]\n{module} = {module}\n\n[sloppy.kinds]\n{module} = {KINDS[module]}\n",
            encoding="utf-8",
        )
    return site
