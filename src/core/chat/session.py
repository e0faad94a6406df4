"""ChatSession: the discussion the user is having, driven from any thread.

Every mutation runs on the controller's writer (the asyncio worker thread);
the public methods validate what they can on the calling thread, post the
change and return at once. Readers take :meth:`ChatSession.snapshot`, an
immutable :class:`ChatSnapshot` replaced on every change (``version`` bumps).

Sending runs as an asyncio task on the writer: the context document is built
on the pool, then the provider's ``stream()`` is iterated and each delta is
appended to the answer. ``cancel()`` cancels that task; the partial answer is
kept and marked cancelled. Failures become the answer's ``error``, never an
exception the caller has to catch, and never lose what is already there.

The request carries the persona's prompt as the system prompt, the earlier
answered turns as they were typed, and the new message with the context
document in front of it (only the newest message carries the context, so a
long discussion does not resend every file with every turn).

The discussion and the context list persist in ``<project>/.sloppy/discussion.json``
(loaded on the pool at start, written atomically on the pool after each change).

Which provider: an explicit choice wins — the user's pick in this session
(``set_provider``, or ``set_model``, which pins the current provider), the
pick saved with the discussion, or the config's ``[provider] default``. Without
one the selection is automatic: as each provider becomes ready, the best one
is taken — one whose key is present, then the configured default, then the
first in catalog order (never "whichever warmed first") — so a provider with
a key that becomes ready later takes over an automatic selection, never an
explicit one. Only an explicit choice is saved with the discussion.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from src.core.chat import context as ctx
from src.core.chat.model import ChatSnapshot, Message, MessageState
from src.core.chat.personas import DEFAULT_PERSONA, all_personas
from src.core.chat.store import DiscussionStore, StoredDiscussion, dumps
from src.core.commands import Command
from src.core.hookspecs import hookimpl
from src.core.providers import ChatMessage, ChatRequest, ErrorKind, ProviderError

log = logging.getLogger(__name__)

# Who chose the current provider (see the module docstring).
AUTO, CONFIG, DISCUSSION, SESSION = "auto", "config", "discussion", "session"
EXPLICIT_SOURCES = (DISCUSSION, SESSION)  # the choices saved with the discussion

BUSY_NOTICE = "an answer is still streaming: wait for it or cancel it before sending again"
WARMING_NOTICE = "is still loading: your message was not sent; send it again once it is ready"


class ChatSession:
    """The chat flow of one project folder (see the module docstring)."""

    def __init__(self, controller: Any, project_dir: Path | str) -> None:
        self._controller = controller
        self.project = Path(project_dir).resolve()
        self._store = DiscussionStore(self.project)
        config = controller.config
        self._messages: list[Message] = []
        self._context: dict[str, int] = {}  # shown path -> chars, in the order added
        self._configured: str | None = config.get("provider", "default") or None
        self._configured_model: str | None = config.get("provider", "model") or None
        self._provider: str | None = self._configured
        self._model: str | None = self._configured_model
        self._provider_source = CONFIG if self._configured else AUTO
        self._persona: str = config.get("provider", "persona") or DEFAULT_PERSONA
        self._chosen: set[str] = set()  # what the user set before the stored discussion loaded
        self._task: asyncio.Task | None = None
        self._run_ids = itertools.count(1)
        self._run_id = 0
        self._notice = ""
        self._loaded = False
        self._warmed = False
        self._version = 0
        self._save_seq = itertools.count(1)
        self._last_save_seq = 0
        self._save_after_load = False
        # Work that may still change the session: loading it, taking in the warmed
        # providers, and each send in flight.
        self._inflight = 2
        self._idle = threading.Condition()
        self._snapshot = ChatSnapshot(persona=self._persona, project=str(self.project), provider=self._provider)

        self._subscribe()
        controller.add_contributions(
            "commands",
            "chat",
            [
                Command("chat.clear", "Chat: clear the discussion", lambda c: self.clear()),
                Command("chat.cancel", "Chat: cancel the answer", lambda c: self.cancel()),
            ],
        )
        controller.submit_io(self._load)

    def _subscribe(self) -> None:
        """Hear ``sloppy_warmup_complete`` (providers known) and ``sloppy_shutdown`` (save now)."""
        if self._controller.loop.is_running():
            self._controller.register_subscriber(self, "chat-session")
        else:  # not started yet: nothing else touches the plugin manager
            self._controller.pm.register(self, name="chat-session")

    # -- reading (any thread) -----------------------------------------------

    def snapshot(self) -> ChatSnapshot:
        return self._snapshot

    def personas(self) -> dict[str, str]:
        """Persona name -> system prompt: the built-in ones and the config's ``[personas]``."""
        return all_personas(self._controller.config.personas())

    def context_size(self) -> tuple[int, int]:
        """Characters of the context files and an approximate token count."""
        chars = sum(chars for _, chars in self._snapshot.context)
        return chars, ctx.approx_tokens(chars)

    def context_document(self) -> str:
        """The markdown document sent with the next message (reads the files now)."""
        document, _, _ = ctx.build_document(self.project, [p for p, _ in self._snapshot.context])
        return document

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until loaded, providers known and every send posted so far finished; False on timeout."""
        if self._controller.on_writer():
            raise RuntimeError("wait_idle() would block the writer thread it waits for")
        with self._idle:
            return self._idle.wait_for(lambda: self._inflight == 0, timeout)

    # -- changing (any thread; applied on the writer) --------------------------

    def send(self, text: str) -> None:
        """Send ``text`` with the context files to the current provider; the answer streams in."""
        self._begin()
        self._controller.post(self._send, str(text))

    def cancel(self) -> None:
        """Stop the answer in flight; what arrived is kept, marked cancelled."""
        self._controller.post(self._cancel)

    def clear(self) -> None:
        """Forget the discussion (the context files stay)."""
        self._controller.post(self._clear)

    def set_provider(self, name: str, model: str | None = None) -> None:
        """Use provider ``name`` (and ``model``, else its default) from the next message on."""
        name = str(name).strip()
        providers = self._controller.providers()
        if not name:
            raise ValueError("give a provider name")
        if name not in providers and self._controller.is_warmup_done():
            raise ValueError(self._unavailable(name))
        self._controller.post(self._set, {"provider": name, "model": model or None})

    def set_model(self, model: str) -> None:
        """Use ``model`` with the current provider: one it lists, or a name no provider lists (a custom one)."""
        model = str(model).strip()
        if not model:
            raise ValueError("give a model name")
        providers = self._controller.providers()
        current = self._snapshot.provider
        mine = providers.get(current) if current else None
        others = [p for name, p in providers.items() if name != current and _lists(p, model)]
        if others and not (mine is not None and _lists(mine, model)):
            theirs = getattr(others[0], "label", "another provider")
            ours = getattr(mine, "label", current) if current else "no provider"
            raise ValueError(f"{model!r} is a {theirs} model and the provider is {ours}: choose {theirs} too")
        self._controller.post(self._set, {"model": model})

    def set_persona(self, name: str) -> None:
        personas = self.personas()
        if name not in personas:
            raise ValueError(f"no persona named {name!r}; choose one of: {', '.join(sorted(personas))}")
        self._controller.post(self._set, {"persona": name})

    def add_context(self, path_or_glob: str) -> list[str]:
        """Add the text files a path or glob names; the paths newly added.

        Raises ``ValueError`` with a message for the user when nothing can be added;
        files a glob skipped (already in context, binary, too big) are named in the notice.
        """
        present = {p for p, _ in self._snapshot.context}
        found = ctx.collect(self.project, path_or_glob, present)
        self._controller.post(self._add_context, found.files, found.notice)
        return [f.path for f in found.files]

    def remove_context(self, path: str) -> None:
        self._controller.post(self._remove_context, str(path))

    # -- the writer side ------------------------------------------------------

    def _begin(self) -> None:
        with self._idle:
            self._inflight += 1

    def _end(self) -> None:
        with self._idle:
            self._inflight -= 1
            self._idle.notify_all()

    def _publish(self) -> None:  # writer
        self._version += 1
        providers = self._controller.providers()
        model = self._model
        if model is None and self._provider in providers:
            model = providers[self._provider].default_model
        self._snapshot = ChatSnapshot(
            messages=tuple(self._messages),
            context=tuple(self._context.items()),
            provider=self._provider,
            model=model,
            persona=self._persona,
            busy=self._task is not None,
            version=self._version,
            notice=self._notice,
            project=str(self.project),
            loaded=self._loaded,
        )

    def _stored(self) -> StoredDiscussion:
        if self._provider_source in EXPLICIT_SOURCES:
            provider, model = self._provider, self._model
        else:  # an automatic pick (or the config's) is made again at the next start, with the keys then set
            provider, model = None, None
        return StoredDiscussion(list(self._messages), list(self._context), provider, model, self._persona)

    def _save(self) -> None:  # writer
        if not self._loaded:
            self._save_after_load = True  # never overwrite a discussion that has not been read yet
            return
        seq, text = next(self._save_seq), dumps(self._stored())
        self._last_save_seq = seq
        self._controller.submit_io(self._write, seq, text)

    def _write(self, seq: int, text: str) -> None:  # pool
        problem = self._store.save(seq, text)
        if problem:
            log.error("%s", problem)
            self._controller.post(self._set_notice, problem)

    def _set_notice(self, notice: str) -> None:  # writer
        self._notice = notice
        self._publish()

    def _load(self) -> None:  # pool
        try:
            stored, problem = self._store.load()
            sizes = {}
            for shown in stored.context:
                try:
                    sizes[shown] = len(ctx.read_text(ctx.absolute(self.project, shown)))
                except ValueError as e:
                    sizes[shown] = 0
                    problem = problem or f"context file {e}"
        except Exception as e:  # report, never lose the app
            log.exception("loading the discussion failed")
            stored, sizes, problem = StoredDiscussion(), {}, f"loading the discussion failed: {e}"
            self._store.blocked = problem
        self._controller.post(self._apply_loaded, stored, sizes, problem)

    def _apply_loaded(self, stored: StoredDiscussion, sizes: dict[str, int], problem: str | None) -> None:  # writer
        try:
            self._messages = stored.messages + self._messages
            context = dict(sizes)
            context.update(self._context)
            self._context = context
            if "provider" not in self._chosen and stored.provider:
                self._provider, self._provider_source = stored.provider, DISCUSSION
                if "model" not in self._chosen:
                    self._model = stored.model
            if self._controller.is_warmup_done():
                self._fall_back_if_gone()
            if "persona" not in self._chosen and stored.persona in self.personas():
                self._persona = stored.persona
            self._loaded = True
            if problem:
                self._notice = problem
            self._publish()
            if self._save_after_load or problem:
                self._save()
        finally:
            self._end()

    @hookimpl
    def sloppy_plugin_ready(self, info: Any) -> None:  # writer, as each plugin becomes ready
        self._reselect_safely()

    @hookimpl
    def sloppy_plugin_failed(self, info: Any) -> None:  # writer: an automatic pick may have gone with it
        self._reselect_safely()

    def _reselect_safely(self) -> None:  # writer
        try:
            self._select_default()
        except Exception:  # the hook's other implementations (GUI, palette…) must still run
            log.exception("choosing the default provider failed")

    @hookimpl
    def sloppy_warmup_complete(self, status: Any) -> None:  # writer, after each warm-up
        try:
            self._take_providers()
        finally:
            if not self._warmed:
                self._warmed = True
                self._end()

    def _take_providers(self) -> None:  # writer
        providers = self._controller.providers()
        self._fall_back_if_gone()
        self._select_default()
        self._controller.add_contributions(
            "commands",
            "chat",
            [
                Command(f"provider.{name}", f"Provider: {p.label}", lambda c, name=name: self.set_provider(name))
                for name, p in providers.items()
            ],
        )
        self._publish()

    def _fall_back_if_gone(self) -> None:  # writer
        """A chosen provider that is uninstalled or disabled: use the default one, and say so."""
        if self._provider is None or self._provider in self._controller.providers():
            return
        gone = self._gone_reason(self._provider)
        if gone is None:
            return
        fallback = self._default_provider(self._controller.providers())
        if fallback is not None:  # rather than fail every send
            self._notice = f"{gone}; using {fallback} instead"
            self._provider, self._model, self._provider_source = fallback, None, AUTO
            self._publish()

    def _select_default(self) -> None:  # writer
        """Point an automatic selection at the best ready provider; an explicit choice is left alone."""
        if self._provider_source != AUTO:
            return
        best = self._default_provider(self._controller.providers())
        if best is None or best == self._provider:
            return
        self._provider = best
        self._model = self._configured_model if best == self._configured else None
        self._publish()

    def _default_provider(self, providers: dict[str, Any]) -> str | None:
        """The best of ``providers``: key present, then the configured default, then catalog order."""
        if not providers:
            return None
        catalog = self._controller.catalog()
        order = {name: i for i, name in enumerate(catalog.plugins)} if catalog is not None else {}

        def rank(name: str) -> tuple[bool, bool, int, str]:
            owner = self._controller.contributor("providers", name) or name
            return (not _has_key(name, providers[name]), name != self._configured, order.get(owner, len(order)), name)

        return min(providers, key=rank)

    def _gone_reason(self, name: str) -> str | None:
        """Why provider ``name`` will not come back this run (not installed, disabled), or None."""
        try:
            self._controller.require(name)
        except LookupError as e:
            if getattr(e, "state", "") in ("unknown", "disabled"):
                return str(e)
        return None

    def _unavailable(self, name: str) -> str:
        try:
            self._controller.require(name)
        except LookupError as e:
            return f"{e}; choose another provider"
        return f"no provider named {name!r} is offered by a ready plugin"

    def _set(self, changes: dict[str, str | None]) -> None:  # writer
        if "provider" in changes:
            if changes["provider"] != self._provider:
                self._model = None
            self._provider = changes["provider"]
            self._provider_source = SESSION
            self._chosen.add("provider")
        if changes.get("model"):
            self._model = changes["model"]
            self._chosen.add("model")
            if self._provider is not None:  # a model belongs to its provider: that pins the provider too
                self._provider_source = SESSION
        if "persona" in changes:
            self._persona = str(changes["persona"])
            self._chosen.add("persona")
        self._notice = ""
        self._publish()
        self._save()

    def _add_context(self, files: list[ctx.ContextFile], notice: str = "") -> None:  # writer
        for f in files:
            self._context[f.path] = f.chars
        if notice:
            self._notice = notice
        self._publish()
        self._save()

    def _remove_context(self, path: str) -> None:  # writer
        if self._context.pop(path, None) is not None:
            self._publish()
            self._save()

    def _clear(self) -> None:  # writer
        self._cancel()
        self._task, self._run_id = None, 0  # the cancelled stream no longer writes here
        self._messages = []
        self._notice = ""
        self._publish()
        self._save()

    def _cancel(self) -> None:  # writer
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _send(self, text: str) -> None:  # writer
        started = False
        try:
            if not text.strip():
                self._notice = "the message is empty; write something first"
                self._publish()
                return
            if self._task is not None:
                self._notice = BUSY_NOTICE
                self._publish()
                return
            warming = self._warming_provider()
            if warming is not None:  # refuse, keep nothing: the caller still has the text
                self._notice = f"{warming} {WARMING_NOTICE}"
                self._publish()
                return
            provider, problem = self._resolve_provider()
            now = time.time()
            model = self._model or (provider.default_model if provider is not None else "")
            paths = [p for p in self._context]
            history = _history(self._messages)
            persona = self._persona
            self._messages.append(
                Message("user", text, self._provider or "", model, now, context=tuple(paths), persona=persona)
            )
            answer = Message("assistant", "", self._provider or "", model, now, persona=persona)
            self._notice = ""
            if problem is not None:
                self._messages.append(replace(answer, state=MessageState.ERROR, error=problem))
                self._publish()
                self._save()
                return
            self._messages.append(replace(answer, state=MessageState.STREAMING))
            self._run_id = next(self._run_ids)
            system = self.personas().get(persona, "")
            self._task = self._controller.loop.create_task(
                self._stream(self._run_id, provider, model, system, history, text, paths)
            )
            started = True
            self._publish()
            self._save()
        finally:
            if not started:
                self._end()

    def _warming_provider(self) -> str | None:  # writer
        """What is still loading when the chosen provider (or any, when none is chosen) is not ready yet."""
        if self._controller.is_warmup_done():
            return None
        providers = self._controller.providers()
        if self._provider is None:
            return None if providers else "the provider"
        if self._provider in providers:
            return None
        return f"provider {self._provider!r}"

    def _resolve_provider(self) -> tuple[Any, str | None]:  # writer
        providers = self._controller.providers()
        self._select_default()
        if self._provider is None:
            if not self._controller.is_warmup_done():
                return None, "the providers are still warming up; send again in a moment"
            return None, "no provider is ready: install or enable a provider plugin (see the Plugins panel)"
        provider = providers.get(self._provider)
        if provider is None:
            if not self._controller.is_warmup_done():
                return None, f"provider {self._provider!r} is still warming up; send again in a moment"
            return None, self._unavailable(self._provider)
        return provider, None

    async def _stream(
        self, run_id: int, provider: Any, model: str, system: str, history: list[ChatMessage], text: str, paths: list
    ) -> None:  # writer, as a task
        state, error = MessageState.DONE, None
        try:
            document, sizes, problems = await asyncio.wrap_future(
                self._controller.submit_io(ctx.build_document, self.project, paths)
            )
            for f in sizes:
                if f.path in self._context:
                    self._context[f.path] = f.chars
            if problems:
                self._notice = "sent without: " + "; ".join(problems)
            content = f"{document}\n---\n\n{text}" if document else text
            request = ChatRequest(model=model, messages=(*history, ChatMessage("user", content)), system=system)
            async for delta in provider.stream(request):
                if delta and run_id == self._run_id:
                    self._append(delta)
        except asyncio.CancelledError:
            state, error = MessageState.CANCELLED, "cancelled: the answer was stopped before it finished"
        except ProviderError as e:
            state = MessageState.CUT_OFF if e.kind == ErrorKind.CUT_OFF else MessageState.ERROR
            if not e.provider:
                e.provider = getattr(provider, "name", "")
            error = str(e)
        except Exception as e:  # a provider's bug becomes a message, not a crash
            log.exception("provider %s failed", getattr(provider, "name", "?"))
            state, error = MessageState.ERROR, f"{getattr(provider, 'name', 'provider')}: unexpected error: {e!r}"
        finally:
            if run_id == self._run_id:
                self._finish(state, error)
            self._end()

    def _append(self, delta: str) -> None:  # writer
        last = self._messages[-1]
        self._messages[-1] = replace(last, content=last.content + delta)
        self._publish()

    def _finish(self, state: str, error: str | None) -> None:  # writer
        self._task = None
        self._run_id = 0
        if self._messages and self._messages[-1].state == MessageState.STREAMING:
            self._messages[-1] = replace(self._messages[-1], state=state, error=error)
        self._publish()
        self._save()

    @hookimpl
    def sloppy_shutdown(self, controller: Any) -> None:  # writer
        """Keep a streaming answer (marked cancelled) and write the discussion now."""
        try:
            self._save_on_shutdown()
        except Exception:  # the other plugins' shutdown hooks must still run
            log.exception("saving the discussion at shutdown failed")

    def _save_on_shutdown(self) -> None:  # writer
        changed = self._last_save_seq > self._store.written_seq  # a save still queued on the pool
        if self._task is not None:
            changed = True
            self._task.cancel()
            self._run_id = 0
            self._task = None
            if self._messages and self._messages[-1].state == MessageState.STREAMING:
                error = "cancelled: the app closed while this answer streamed"
                self._messages[-1] = replace(self._messages[-1], state=MessageState.CANCELLED, error=error)
            self._publish()
        if self._loaded and changed:
            problem = self._store.save(next(self._save_seq), dumps(self._stored()))
            if problem:
                log.error("%s", problem)


def _lists(provider: Any, model: str) -> bool:
    """Whether ``provider`` offers ``model`` among its models."""
    return model in (getattr(provider, "models", ()) or ())


def _has_key(name: str, provider: Any) -> bool:
    try:
        return bool(provider.key_status().present)
    except Exception:  # a provider's bug must not stop the chat
        log.exception("key_status() of provider %s failed", name)
        return False


def _history(messages: list[Message]) -> list[ChatMessage]:
    """The turns sent back to the model: answered ones only, without their context documents."""
    out: list[ChatMessage] = []
    pending: list[str] = []
    for m in messages:
        if m.role == "user":
            pending.append(m.content)
        elif m.state in MessageState.KEPT_IN_HISTORY and m.content.strip() and pending:
            out.append(ChatMessage("user", "\n\n".join(pending)))
            out.append(ChatMessage("assistant", m.content))
            pending = []
        else:
            pending = []  # a failed turn is not sent again
    return out
