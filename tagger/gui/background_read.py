"""A read of the library off the GUI thread, whose result a widget takes on the GUI thread.

For what a dialog shows on opening and that grows with the library (the genres of every track,
the labels of every labeled track): a second's read at 50,000 tracks froze the window while it
ran. Not the window's JobRunner: that runs one job at a time (a scan, a training), and a read
for a dialog must neither wait for it nor hold it back.

The thread touches no Qt object (a signal emitted while the dialog was being deleted crashed):
it fills a Future, which a timer of the owning widget looks at, and which dies with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QTimer

T = TypeVar("T")
POLL_MS = 50  # how often the owner looks whether the read has ended


class BackgroundRead(QObject, Generic[T]):
    """`start(read)` runs `read` in a daemon thread, then calls `done(result)` or
    `failed(error)` on the GUI thread. A new start drops the result of the read in flight."""

    def __init__(
        self,
        parent: QObject,
        done: Callable[[T], None],
        failed: Callable[[Exception], None],
        name: str,
    ) -> None:
        super().__init__(parent)
        self._done, self._failed, self._name = done, failed, name
        self._future: Future[T] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)

    @property
    def running(self) -> bool:
        return self._future is not None

    def start(self, read: Callable[[], T]) -> None:
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(read())
            except Exception as exc:  # a library gone or locked: said, not raised in a thread
                future.set_exception(exc)

        self._future = future
        threading.Thread(target=run, name=self._name, daemon=True).start()
        self._poll.start()

    def _check(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll.stop()
        self._future = None
        error = future.exception()
        if error is not None:
            self._failed(error)  # type: ignore[arg-type]  # an Exception: run() catches no other
        else:
            self._done(future.result())
