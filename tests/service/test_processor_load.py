"""Cores other programs keep busy: this process's own work (threads, child processes) does not
count, another program's does. Real processes, no mocked CPU times."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from tagger.service.processor_load import while_measuring_others

SPIN = "import time\nend = time.monotonic() + {s}\nwhile time.monotonic() < end: pass"


def _spin_here(stop: threading.Event) -> None:
    while not stop.is_set():
        pass


def test_this_process_and_its_children_are_not_other_programs() -> None:
    stop = threading.Event()
    spinner = threading.Thread(target=_spin_here, args=(stop,), daemon=True)
    spinner.start()
    child = subprocess.Popen([sys.executable, "-c", SPIN.format(s=5)])
    try:
        time.sleep(0.3)  # the child's interpreter started and spinning
        result, elsewhere = while_measuring_others(lambda: "read", at_least_s=1.0)
    finally:
        stop.set()
        child.kill()
        child.wait()
    assert result == "read"
    # Two cores of our own kept busy; a quiet machine's background stays well under one.
    assert elsewhere is not None and elsewhere < 0.6, elsewhere


def test_another_program_counts() -> None:
    # Started through a shell that exits at once: the spinner is nobody's child of ours.
    shell = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -c "$0" >/dev/null 2>&1 & echo $!', SPIN.format(s=5)],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(shell.stdout.strip())
    try:
        time.sleep(0.3)
        _, elsewhere = while_measuring_others(lambda: None, at_least_s=1.0)
    finally:
        os.kill(pid, signal.SIGKILL)
    assert elsewhere is not None and elsewhere > 0.7, elsewhere
