"""The track table over 100,000 rows: paged queries only, never one per row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from sqlalchemy import insert

from tagger.gui.track_table_model import PAGE_SIZE, TRACK_ID_ROLE, TrackTableModel
from tagger.library.queries import SmartList, TrackFilter
from tagger.library.schema import Track
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.library_client import LibraryClient

N = 100_000


class CountingClient(LibraryClient):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.fetches: list[tuple[int, int]] = []
        self.counts = 0

    def fetch(self, f, offset, limit, sort, descending):  # type: ignore[override]
        self.fetches.append((offset, limit))
        return super().fetch(f, offset, limit, sort, descending)

    def count(self, f):  # type: ignore[override]
        self.counts += 1
        return super().count(f)


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = Library.open(tmp_path_factory.mktemp("big") / "big.db")
    rows = [
        {
            "path": f"/music/artist {i % 997:03d}/track {i:06d}.mp3",
            "size": 1000 + i,
            "mtime_ns": i,
            "title": f"Track {i:06d}",
            "artist": f"Artist {i % 997:03d}",
            "album": f"Album {i % 5003}",
            "year": 1980 + i % 40,
            "genres": ["Metal"] if i % 2 else [],
            "status": "new" if i % 50 else "error",
            "error": None if i % 50 else "not audio",
        }
        for i in range(N)
    ]
    with library.session() as session, session.begin():
        session.execute(insert(Track), rows)
    yield library
    library.close()


def test_100k_rows_are_fetched_a_page_at_a_time(qtbot, big_library: Library) -> None:
    client = CountingClient(big_library, Settings())
    model = TrackTableModel(client)
    assert model.rowCount() == N
    assert client.fetches == []  # counting is one query; nothing fetched before painting

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.scrollToBottom()
    qtbot.wait(50)
    view.scrollTo(model.index(N // 2, 0))
    qtbot.wait(50)
    assert model.index(N - 1, 0).data() is not None

    assert all(limit == PAGE_SIZE for _, limit in client.fetches)
    assert all(offset % PAGE_SIZE == 0 for offset, _ in client.fetches)
    pages = {offset for offset, _ in client.fetches}
    assert len(client.fetches) == len(pages) <= 8  # each page once, only those shown
    assert model.page_fetches == len(client.fetches)


def test_a_selection_of_every_row_is_one_query_not_a_page_each(big_library: Library) -> None:
    """Ctrl+A on 100,000 tracks, then the right-click menu or Write tags: the rows come in one
    query per run of consecutive rows (page by page, each OFFSET further, took minutes)."""
    client = CountingClient(big_library, Settings())
    model = TrackTableModel(client)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    rows = model.rows_at(range(N))
    assert client.fetches == [(0, N)]
    assert [r.title for r in rows[:2]] == [f"Track {N - 1:06d}", f"Track {N - 2:06d}"]
    assert rows[-1].title == "Track 000000"
    # A few rows here and there come from the page cache, a long run in one query.
    client.fetches.clear()
    picked = model.rows_at([3, 1, 2, 500, *range(1000, 1200)])
    assert [r.title for r in picked[:3]] == [f"Track {N - i:06d}" for i in (2, 3, 4)]
    assert len(picked) == 204
    assert client.fetches == [(0, PAGE_SIZE), (448, PAGE_SIZE), (1000, 200)]


def test_consecutive_runs() -> None:
    from tagger.gui.track_table_model import consecutive_runs

    assert consecutive_runs([8, 1, 2, 3, 7, 3]) == [(1, 4), (7, 9)]
    assert consecutive_runs([]) == []


def test_filter_and_sort_requery_the_database(big_library: Library) -> None:
    client = CountingClient(big_library, Settings())
    model = TrackTableModel(client)
    model.set_filter(TrackFilter(SmartList.ERRORS))
    assert model.rowCount() == N // 50
    assert model.index(0, 8).data() == "Error"
    model.set_filter(TrackFilter(search="track 099999"))
    assert model.rowCount() == 1
    model.set_filter(TrackFilter())
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == f"Track {N - 1:06d}"
    assert model.index(0, 0).data(TRACK_ID_ROLE) == N


def test_paths_under_home_are_shown_from_the_tilde(monkeypatch, tmp_path) -> None:
    from tagger.gui.track_table_model import display_path

    monkeypatch.setenv("HOME", str(tmp_path / "you"))
    assert display_path(str(tmp_path / "you" / "Music" / "a.flac")) == "~/Music/a.flac"
    assert display_path(str(tmp_path / "younger" / "a.flac")) == str(tmp_path / "younger/a.flac")
    assert display_path("/srv/music/a.flac") == "/srv/music/a.flac"


def test_display_format_names_the_file_not_the_demuxer():
    from tagger.gui.track_table_model import display_format

    assert display_format("/m/a.m4a", "mov,mp4,m4a,3gp,3g2,mj2") == "m4a"
    assert display_format("/m/a.MP4", "mov,mp4,m4a,3gp,3g2,mj2") == "mp4"
    assert display_format("/m/a.xyz", "mov,mp4,m4a,3gp,3g2,mj2") == "mov"
    assert display_format("/m/a.flac", "flac") == "flac"
    assert display_format("/m/a.flac", None) == ""


def test_a_count_of_tracks_reads_as_english() -> None:
    from tagger.gui.track_table_model import tracks_count

    assert [tracks_count(n) for n in (0, 1, 2, 12345)] == [
        "0 tracks",
        "1 track",
        "2 tracks",
        "12,345 tracks",
    ]
