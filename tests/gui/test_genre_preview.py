"""genre_preview.py: the library's genres beside the genre map, mapped as the rules are typed."""

from __future__ import annotations

from pathlib import Path

from gui_library import copy_db

from tagger.gui.genre_preview import NO_RULE, genre_tooltip
from tagger.library.genre_labels import GenreCount


def _maps_to(preview) -> dict[str, str]:
    table = preview.table
    return {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}


def test_settings_show_what_each_genre_of_the_library_maps_to_as_the_rules_are_typed(
    qtbot, make_window, settings, classified_master: Path, tmp_path: Path
) -> None:
    window = make_window(settings, copy_db(classified_master, tmp_path / "library.db"))
    dialog = window.open_settings()
    preview = dialog.genre_preview
    qtbot.waitUntil(lambda: preview.rows is not None, timeout=10_000)
    assert [(r.genre, r.tracks) for r in preview.rows] == [("Metalcore", 2)]
    assert _maps_to(preview) == {"Metalcore": "ignore"}  # the default rules: ambiguous
    assert preview.status.text().startswith("1 genres in your library")

    dialog.genre_map.setPlainText("metalcore = metal\n" + dialog.genre_map.toPlainText())
    qtbot.waitUntil(lambda: _maps_to(preview) == {"Metalcore": "metal"}, timeout=5_000)
    dialog.genre_map.setPlainText("death metal = metal\n")  # nothing matches any more
    qtbot.waitUntil(lambda: _maps_to(preview) == {"Metalcore": NO_RULE}, timeout=5_000)
    assert "on 2 tracks a genre matches no rule" in preview.status.text()
    dialog.genre_map.setPlainText("metalcore is metal\n")
    qtbot.waitUntil(lambda: _maps_to(preview) == {"Metalcore": "?"}, timeout=5_000)
    assert preview.status.text().startswith("The rules have a problem, so nothing is mapped")
    dialog.reject()
    assert window.settings.genre_map is None  # nothing saved without OK


def test_a_genre_says_where_it_is_not_simply_the_users() -> None:
    assert genre_tooltip(GenreCount("Death Metal", 5, "metal")) == ""
    assert genre_tooltip(GenreCount("Metal", 5, "metal", written=3)) == (
        "on 3 of its 5 tracks this program wrote it: not a label to train on"
    )
    assert "a tag write replaced it" in genre_tooltip(GenreCount("NYHC", 2, "hardcore", 0, 2))
