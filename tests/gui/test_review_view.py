"""The review queue: keys decide at once, skip, move and preview; the counter follows."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_db
from PySide6.QtCore import Qt

from tagger.gui.main_window import PAGE_REVIEW
from tagger.library.queries import SmartList


def _open_review(qtbot, make_window, settings, classified_master: Path, tmp_path: Path):
    settings.threshold = 1.0  # every classified track needs review
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    window.act_review.trigger()
    assert window.stack.currentIndex() == PAGE_REVIEW
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window, window.review


def test_keys_decide_skip_move_and_count(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window, review = _open_review(qtbot, make_window, settings, classified_master, tmp_path)
    total = len(review.queue.rows)
    assert total >= 4
    assert review.counter.text() == f"0 of {total} decided"
    certainty = [min(r.confidence, 1 - r.disagreement) for r in review.queue.rows]
    assert certainty == sorted(certainty)  # most uncertain first

    first, second = review.queue.rows[0].id, review.queue.rows[1].id
    qtbot.keyClick(review.list, Qt.Key.Key_M)
    assert review.counter.text() == f"1 of {total} decided"
    assert review.current_row == 1
    qtbot.keyClick(review.list, Qt.Key.Key_H)
    assert review.counter.text() == f"2 of {total} decided"
    qtbot.keyClick(review.list, Qt.Key.Key_S)
    assert review.counter.text() == f"2 of {total} decided, 1 skipped"
    assert review.current_row == 3
    qtbot.keyClick(review.list, Qt.Key.Key_Up)
    assert review.current_row == 2

    # Saved at once: a fresh query sees the decisions.
    assert window.client.detail(first).row.label == "metal"
    assert window.client.detail(first).row.decided_by == "user"
    assert window.client.detail(second).row.label == "hardcore"
    assert window.sidebar.count_of(SmartList.REVIEW) == total - 2


def test_space_previews_the_most_telling_window(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window, review = _open_review(qtbot, make_window, settings, classified_master, tmp_path)
    requested: list[tuple[str, float]] = []
    window.player.play_requested.connect(lambda path, start: requested.append((path, start)))
    qtbot.keyClick(review.list, Qt.Key.Key_Space)
    detail = review.details.detail
    assert detail is not None and review.details.telling is not None
    assert requested == [(detail.row.path, detail.windows[review.details.telling].start)]


def test_back_to_the_library(qtbot, make_window, settings, classified_master, tmp_path) -> None:
    window, review = _open_review(qtbot, make_window, settings, classified_master, tmp_path)
    window.act_review.trigger()
    assert window.stack.currentIndex() != PAGE_REVIEW
    assert window.details.isVisible()
