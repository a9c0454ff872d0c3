"""The smart-list sidebar shows every list's whole title."""

from __future__ import annotations

from tagger.gui.sidebar import SmartListSidebar
from tagger.library.queries import ListCount, SmartList


def test_every_title_fits_beside_its_count(qtbot) -> None:
    sidebar = SmartListSidebar()
    qtbot.addWidget(sidebar)
    sidebar.setMinimumWidth(150)  # as the main window sets it
    counts = [
        ListCount(SmartList.ALL, "All", 10_000),
        ListCount(SmartList.CONFLICTS, "Disagrees with its tags", 1_234),
    ]
    sidebar.set_counts(counts)
    sidebar.resize(sidebar.minimumWidth(), 300)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    fm = sidebar.fontMetrics()
    for i in range(sidebar.topLevelItemCount()):
        item = sidebar.topLevelItem(i)
        assert sidebar.columnWidth(0) >= fm.horizontalAdvance(item.text(0)), item.text(0)
