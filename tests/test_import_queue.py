"""The writer's import queue: one import at a time, leases, superseded entries, closing."""

from __future__ import annotations

from src.core.import_queue import ImportQueue


class Writer:
    """What the controller gives the queue: a start function, a wanted test and the loop's call_later."""

    def __init__(self, lease_s: float = 3.0) -> None:
        self.started: list[str] = []
        self.timers: list[tuple[float, object, tuple]] = []
        self.unwanted: set[str] = set()
        self.queue = ImportQueue(self.start, lambda key: key not in self.unwanted, self.call_later, lease_s)

    def start(self, key: str, item: object) -> None:
        self.started.append(key)

    def call_later(self, delay: float, fn, *args) -> None:
        self.timers.append((delay, fn, args))

    def fire_timers(self) -> None:
        timers, self.timers = self.timers, []
        for _delay, fn, args in timers:
            fn(*args)


def test_one_import_at_a_time_in_the_order_added():
    w = Writer()
    for key in ("a", "b", "c"):
        w.queue.add(key, None)
    assert w.started == ["a"] and w.queue.current == "a" and w.queue.waiting() == 2
    w.queue.finished("a")
    assert w.started == ["a", "b"]
    w.queue.finished("a")  # a late or repeated report changes nothing
    assert w.started == ["a", "b"]
    w.queue.finished("b")
    w.queue.finished("c")
    assert w.started == ["a", "b", "c"] and w.queue.current is None and w.queue.waiting() == 0


def test_a_lease_that_runs_out_starts_the_next_beside_it():
    w = Writer(lease_s=3.0)
    w.queue.add("hangs", None)
    w.queue.add("next", None)
    assert w.timers[0][0] == 3.0
    w.fire_timers()  # 3 s later "hangs" is still importing
    assert w.started == ["hangs", "next"] and w.queue.current == "next"
    w.queue.finished("hangs")  # when it finally ends, it does not end "next"'s turn
    assert w.queue.current == "next"


def test_an_entry_superseded_while_it_waited_is_skipped():
    w = Writer()
    w.queue.add("a", None)
    w.queue.add("disabled-meanwhile", None)
    w.queue.add("c", None)
    w.unwanted.add("disabled-meanwhile")
    w.queue.finished("a")
    assert w.started == ["a", "c"]


def test_closed_starts_nothing_more():
    w = Writer()
    w.queue.add("a", None)
    w.queue.add("b", None)
    w.queue.close()
    w.queue.finished("a")
    w.queue.add("c", None)
    assert w.started == ["a"]


def test_a_lease_of_zero_starts_everything_at_once():
    w = Writer(lease_s=0.0)
    for key in ("a", "b", "c"):
        w.queue.add(key, None)
    assert w.started == ["a", "b", "c"] and w.timers == []
