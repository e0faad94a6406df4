"""A plugin whose import fails with a provider key in the message (the Hook API must redact it)."""

import os

raise RuntimeError(f"could not log in with key {os.environ.get('OPENAI_API_KEY')}")
