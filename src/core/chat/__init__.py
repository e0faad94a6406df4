"""The chat flow: a discussion, its context files, personas, persistence.

``ChatSession`` is what the GUI, the command palette and the Hook API drive.
Stdlib only: providers are reached through ``controller.providers()``.
"""

from src.core.chat.model import ChatSnapshot, Message, MessageState
from src.core.chat.session import ChatSession

__all__ = ["ChatSession", "ChatSnapshot", "Message", "MessageState"]
