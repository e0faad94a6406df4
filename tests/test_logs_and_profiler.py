import os
import threading
import time

from src.core.logs import prune_old_logs
from src.core.profiler import StartupProfiler


def test_prune_removes_only_old_log_files(tmp_path):
    old, fresh, other = tmp_path / "sloppy.log.3", tmp_path / "sloppy.log", tmp_path / "notes.txt"
    for path in (old, fresh, other):
        path.write_text("x")
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(other, (month_ago, month_ago))
    assert prune_old_logs(tmp_path, keep_days=14) == [old]
    assert not old.exists() and fresh.exists() and other.exists()


def test_profiler_phases_carry_offsets_durations_and_threads():
    profiler = StartupProfiler()
    with profiler.phase("outer"):
        time.sleep(0.01)
    worker = threading.Thread(target=lambda: profiler.add("from-worker", profiler.now_ms(), 1.5), name="w-1")
    worker.start()
    worker.join()
    first = profiler.mark("first_frame")
    assert profiler.mark("first_frame") == first  # marks are recorded once
    phases = {p.name: p for p in profiler.phases()}
    assert phases["outer"].duration_ms >= 10 and phases["outer"].thread == "MainThread"
    assert phases["from-worker"].thread == "w-1"
    assert 0 < phases["outer"].start_ms <= first
