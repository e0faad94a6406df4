"""Third-party plugins installed as real distributions (a ``.dist-info`` with entry points) in a temp folder."""

from __future__ import annotations

from pathlib import Path

SLOW = '''"""Takes a while to import, like an SDK."""
import time

time.sleep(1.0)
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

SOURCES = {
    "sloppytest_slow": SLOW,
    "sloppytest_broken": BROKEN,
    "sloppytest_hangs": HANGS,
    "sloppytest_fakechat": FAKECHAT,
}
KINDS = {
    "sloppytest_slow": "tool",
    "sloppytest_broken": "tool",
    "sloppytest_hangs": "tool",
    "sloppytest_fakechat": "provider",
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
