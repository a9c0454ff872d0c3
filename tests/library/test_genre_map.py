from __future__ import annotations

import pytest

from tagger.library.genre_map import (
    DEFAULT_GENRE_MAP,
    IGNORE,
    OTHER,
    GenreMap,
    GenreMapError,
    GenreRule,
    Verdict,
)
from tagger.library.settings import Settings


@pytest.mark.parametrize(
    ("genre", "target"),
    [
        ("Death Metal", "metal"),
        ("Death-Metal", "metal"),
        ("DEATH_METAL", "metal"),
        ("deathmetal", "metal"),
        ("Thrash", "metal"),
        ("Black Metal", "metal"),
        ("Doom", "metal"),
        ("Sludge", "metal"),
        ("Groove Metal", "metal"),
        ("Progressive Metal", "metal"),
        ("Speed Metal", "metal"),
        ("Power Metal", "metal"),
        ("Heavy Metal", "metal"),
        ("NWOBHM", "metal"),
        ("Folk Metal", "metal"),
        ("NYHC", "hardcore"),
        ("Hardcore Punk", "hardcore"),
        ("hardcore-punk", "hardcore"),
        ("Beatdown", "hardcore"),
        ("Powerviolence", "hardcore"),
        ("Power Violence", "hardcore"),
        ("Youth Crew", "hardcore"),
        ("Crust Punk", "hardcore"),
        ("D-Beat", "hardcore"),
        ("Metallic Hardcore", "hardcore"),
        ("HC", "hardcore"),
        ("Metalcore", IGNORE),
        ("Crossover Thrash", IGNORE),
        ("Post-Hardcore", IGNORE),
        ("Nu Metal", IGNORE),
        ("Rock", IGNORE),
        ("Punk", IGNORE),
        ("Pop Punk", IGNORE),
        ("Jazz", OTHER),
        ("Pop", OTHER),
        ("K-Pop", OTHER),
        ("Hip-Hop", OTHER),
        ("HipHop", OTHER),
        ("R&B", OTHER),
        ("Drum & Bass", OTHER),
        ("Electronic", OTHER),
        ("Classical", OTHER),
        ("Folk", OTHER),
        ("Happy Hardcore", OTHER),
        ("Hardcore Techno", OTHER),
    ],
)
def test_default_rules(genre: str, target: str) -> None:
    assert DEFAULT_GENRE_MAP.target(genre) == target


@pytest.mark.parametrize("genre", ["Seen Live", "Shoegaze", "Popcorn", "Choir", "2019", ""])
def test_unmatched_genres_map_to_nothing(genre: str) -> None:
    assert DEFAULT_GENRE_MAP.target(genre) is None


def test_track_labels_are_multi_value_aware() -> None:
    m = DEFAULT_GENRE_MAP
    assert m.label(["Thrash Metal", "Seen Live"]).label == "metal"
    assert m.label(["Death Metal", "Doom"]).verdict == Verdict.LABELED
    both = m.label(["Death Metal", "NYHC"])
    assert both.verdict == Verdict.AMBIGUOUS and both.label is None
    assert set(both.targets) == {"metal", "hardcore"}
    # One tag value holding two genres counts as two.
    assert m.label(["Death Metal / Hardcore"]).verdict == Verdict.AMBIGUOUS
    assert m.label(["Metal; Metalcore"]).verdict == Verdict.AMBIGUOUS
    assert m.label(["Jazz", "Soul"]).label == OTHER
    assert m.label(["Shoegaze"]).verdict == Verdict.UNMAPPED
    assert m.label([]).verdict == Verdict.UNTAGGED
    assert m.label(None).verdict == Verdict.UNTAGGED
    assert m.label(["", "  "]).verdict == Verdict.UNTAGGED


@pytest.mark.parametrize(
    "genre",
    [
        "Metal",
        "melodic death metal",
        "Nu-Metal",
        "Post-Hardcore",
        "Metalcore",
        "GRINDCORE",
        "Goregrind",
        "Hard Rock",
        "Crust Punk",
        "Sludge",
        "Powerviolence",
        "Djent",
        "Emo",
    ],
)
def test_heavy_and_ambiguous_genres_are_in_scope(genre: str) -> None:
    assert DEFAULT_GENRE_MAP.in_scope([genre])


@pytest.mark.parametrize("genre", ["Jazz", "Classical", "Hip-Hop", "Choir", "Ambient", "Pop"])
def test_other_and_unmapped_genres_are_not(genre: str) -> None:
    assert not DEFAULT_GENRE_MAP.in_scope([genre])


def test_scope_reads_the_map() -> None:
    m = DEFAULT_GENRE_MAP
    assert m.in_scope([]) and m.in_scope(None) and m.in_scope(["", "  "])
    assert GenreMap((GenreRule("jazz", "metal"),)).in_scope(["Jazz"])
    assert m.in_scope(["Jazz", "Thrash Metal"])
    assert m.in_scope(["Metalcore"])  # ambiguous: the model decides
    assert not m.in_scope(["Jazz", "Soul"])
    assert not m.in_scope(["Shoegaze"])


def test_first_matching_rule_wins_and_user_rules_apply() -> None:
    m = GenreMap((GenreRule("metalcore", "hardcore"), GenreRule("metal", "metal")))
    assert m.target("Metalcore") == "hardcore"
    assert m.target("Melodic Death Metal") == "metal"
    assert m.classes == ["hardcore", "metal"]
    assert DEFAULT_GENRE_MAP.classes == ["hardcore", OTHER, "metal"]


def test_settings_round_trip(tmp_path) -> None:
    custom = GenreMap((GenreRule("Grindcore", "metal"), *DEFAULT_GENRE_MAP.rules))
    settings = Settings(genre_map=custom.to_settings())
    path = settings.save(tmp_path / "settings.json")
    loaded = Settings.load(path).genre_map_rules()
    assert loaded == custom
    assert loaded.target("grindcore") == "metal"
    assert Settings().genre_map_rules() == DEFAULT_GENRE_MAP


@pytest.mark.parametrize(
    "raw",
    [
        [{"genre": "metal"}],
        [{"genre": "!!", "class": "metal"}],
        [{"genre": "metal", "class": " "}],
        ["metal"],
    ],
)
def test_bad_rules_are_refused_with_a_message(raw) -> None:
    with pytest.raises(GenreMapError):
        GenreMap.from_settings(raw)


def test_text_form_round_trip_and_errors() -> None:
    assert GenreMap.from_text(DEFAULT_GENRE_MAP.to_text()) == DEFAULT_GENRE_MAP
    parsed = GenreMap.from_text("# mine\n\nDeath Metal = Metal\nr&b = other\n")
    assert parsed.rules == (GenreRule("Death Metal", "metal"), GenreRule("r&b", OTHER))
    with pytest.raises(GenreMapError, match="line 1"):
        GenreMap.from_text("death metal")
