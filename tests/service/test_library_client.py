"""service/library_client.py: the review rule from the settings, decisions by path, lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from audio_factory import tone, write_audio

from tagger.library.queries import SmartList, TrackFilter
from tagger.library.review import ReviewRule
from tagger.library.scanner import scan
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.service.errors import ServiceError
from tagger.service.library_client import LibraryClient


@pytest.fixture
def client(tmp_path: Path, random_model: Path) -> Iterator[LibraryClient]:
    for band in ("a", "b"):
        (tmp_path / "music" / band).mkdir(parents=True)
        write_audio(tmp_path / "music" / band / "song.wav", tone(0.5))
    library = Library.open(tmp_path / "lib.db")
    scan(library, [tmp_path / "music"])
    yield LibraryClient(library, Settings(model_path=str(random_model), threshold=0.6))
    library.close()


def test_the_rule_is_the_settings_unless_a_threshold_is_given(client: LibraryClient) -> None:
    assert client.rule == ReviewRule(threshold=0.6, disagreement=0.25)
    other = LibraryClient(client.library, client.settings, threshold=0.9)
    assert other.rule == ReviewRule(threshold=0.9, disagreement=0.25)
    assert ReviewRule() == ReviewRule.from_settings(Settings())  # one set of defaults


def test_decide_by_folder_then_list_by_effective_label(
    client: LibraryClient, tmp_path: Path
) -> None:
    label, n = client.decide_paths([str(tmp_path / "music" / "a")], " METAL ")
    assert (label, n) == ("metal", 1)
    rows = client.list_rows(TrackFilter(SmartList.ALL), label="Metal")
    assert [Path(r.path).parent.name for r in rows] == ["a"]
    assert rows[0].decided_by == "user"
    assert len(client.list_rows(TrackFilter(SmartList.ALL))) == 2
    assert client.stats().decided_by == {"user": 1, "none": 1}


def test_a_decision_names_a_known_class_and_known_tracks(
    client: LibraryClient, tmp_path: Path
) -> None:
    with pytest.raises(ServiceError, match="not one of the model's classes"):
        client.decide_paths([str(tmp_path / "music")], "jazz")
    with pytest.raises(ServiceError, match="not in the library: .*elsewhere"):
        client.decide_paths([str(tmp_path / "music"), str(tmp_path / "elsewhere")], "metal")
    assert client.stats().decided_by == {"none": 2}  # nothing half-done


def test_the_album_part_of_the_rule_follows_new_predictions(tmp_path: Path) -> None:
    from tagger.library.records import record_prediction
    from tagger.library.schema import ModelRecord, Track
    from tagger.model.predictor import TrackPrediction
    from tagger.service.library_client import LibraryClient

    def metal(p: float) -> TrackPrediction:
        probs = {"hardcore": 1 - p, "metal": p}
        label = max(probs, key=probs.get)
        return TrackPrediction("x", "m", ("hardcore", "metal"), label, probs[label], probs, (), 9.0)

    library = Library.open(tmp_path / "lib.db")
    try:
        with library.session() as s, s.begin():
            model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=["hardcore", "metal"])
            s.add(model)
            s.flush()
            ids = []
            for i, p in enumerate([0.99, 0.99, 0.99, 0.99, 0.99]):
                t = Track(path=f"/a/{i}.mp3", size=1, mtime_ns=1, genres=[], album="A")
                s.add(t)
                s.flush()
                ids.append(t.id)
                record_prediction(s, t.id, model.id, metal(p))
        client = LibraryClient(library, Settings())
        assert client.rule.against_album == {}
        with library.session() as s, s.begin():
            record_prediction(s, ids[0], 1, metal(0.1))  # now against its (still metal) album
        assert set(client.rule.against_album) == {ids[0]}
        assert client.rule.against_album[ids[0]].startswith("against its album")
        (row,) = client.review_queue()
        assert row.id == ids[0] and any("against its album" in r for r in row.review_reasons)

        # while the app's job runs it holds what it has; letting go makes it exact again
        client.hold_derived = True
        with library.session() as s, s.begin():
            record_prediction(s, ids[0], 1, metal(0.99))  # with its album again
        assert set(client.rule.against_album) == {ids[0]}
        client.hold_derived = False
        assert client.rule.against_album == {}
    finally:
        library.close()
