"""One plugin import at a time: the turn, its lease, and closing."""

from __future__ import annotations

import threading
import time

import pytest

from src.core.import_turns import ImportTurns, TurnsClosed


def _run(turns: ImportTurns, key: str, hold_s: float, log: list, lock: threading.Lock) -> None:
    with turns.turn(key):
        with lock:
            log.append(("in", key, time.monotonic()))
        time.sleep(hold_s)
        with lock:
            log.append(("out", key, time.monotonic()))


def _max_inside(log: list) -> int:
    inside = peak = 0
    for event, _key, _t in sorted(log, key=lambda e: e[2]):
        inside += 1 if event == "in" else -1
        peak = max(peak, inside)
    return peak


def test_holders_take_turns_one_at_a_time():
    turns, log, lock = ImportTurns(lease_s=10.0), [], threading.Lock()
    threads = [threading.Thread(target=_run, args=(turns, f"k{i}", 0.05, log, lock)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(log) == 10
    assert _max_inside(log) == 1
    assert turns.holder is None


def test_a_holder_past_its_lease_no_longer_blocks_the_next_and_its_late_release_is_a_no_op():
    turns, log, lock = ImportTurns(lease_s=0.2), [], threading.Lock()
    hung = threading.Event()

    def hangs() -> None:
        with turns.turn("hung"):
            hung.set()
            time.sleep(0.6)

    first = threading.Thread(target=hangs)
    first.start()
    assert hung.wait(2)
    started = time.monotonic()
    second = threading.Thread(target=_run, args=(turns, "second", 1.2, log, lock))
    second.start()
    first.join(3)
    # "second" went in once the lease ran out, while "hung" still held the turn...
    second_in = next(t for e, k, t in log if (e, k) == ("in", "second"))
    assert 0.15 <= second_in - started < 0.55
    # ...and "hung" leaving later did not end "second"'s turn.
    assert turns.holder == "second"
    second.join(3)
    assert turns.holder is None


def test_closing_wakes_the_waiters():
    turns = ImportTurns(lease_s=60.0)
    raised = []
    holding = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with turns.turn("holder"):
            holding.set()
            release.wait(5)

    def waiter() -> None:
        try:
            with turns.turn("waiter"):
                raised.append(None)
        except TurnsClosed as e:
            raised.append(e)

    threading.Thread(target=holder).start()
    assert holding.wait(2)
    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.05)
    turns.close()
    t.join(2)
    release.set()
    assert len(raised) == 1 and isinstance(raised[0], TurnsClosed)
    with pytest.raises(TurnsClosed), turns.turn("late"):
        pass
