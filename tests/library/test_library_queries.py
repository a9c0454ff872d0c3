"""Review queue, user decisions and the GUI's queries, over a library filled directly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tagger.library.queries import (
    SmartList,
    TrackFilter,
    count_tracks,
    fetch_tracks,
    review_queue,
    smart_list_counts,
    track_detail,
)
from tagger.library.records import record_failure, record_prediction, window_disagreement
from tagger.library.review import (
    ReviewRule,
    UnknownClassError,
    clear_decision,
    record_decision,
    resolve_class,
)
from tagger.library.schema import ModelRecord, Track, TrackStatus
from tagger.library.stats import library_stats
from tagger.library.store import Library
from tagger.model.predictor import TrackPrediction, WindowPrediction

pytestmark = pytest.mark.both_backends

CLASSES = ("hardcore", "metal")


def prediction(metal: float, windows_metal: list[float]) -> TrackPrediction:
    probs = {"hardcore": 1 - metal, "metal": metal}
    label = "metal" if metal >= 0.5 else "hardcore"
    return TrackPrediction(
        "x",
        "m",
        CLASSES,
        label,
        max(probs.values()),
        probs,
        tuple(WindowPrediction(i, i + 3, (1 - w, w)) for i, w in enumerate(windows_metal)),
        60.0,
    )


@pytest.fixture
def filled(library: Library) -> dict[str, int]:
    """name → track id. Confidences and window votes chosen to exercise the review rule."""
    specs = {
        # name: (metal probability, window metal probabilities)
        "sure-metal": (0.95, [0.9] * 8),
        "sure-hardcore": (0.05, [0.1] * 8),
        "unsure-60": (0.60, [0.6] * 8),
        "unsure-70": (0.30, [0.3] * 8),  # hardcore at 0.70
        "split-windows": (0.90, [0.99] * 5 + [0.3] * 3),  # confident mean, 3/8 windows disagree
    }
    ids: dict[str, int] = {}
    with library.session() as s, s.begin():
        model = ModelRecord(name="m", path="/m", sha256="1" * 64, classes=list(CLASSES))
        s.add(model)
        for name in [*specs, "waiting", "broken", "gone", "jazz"]:
            t = Track(path=f"/music/{name}.mp3", size=1, mtime_ns=1, genres=[], title=name.upper())
            s.add(t)
            s.flush()
            ids[name] = t.id
        for name, (metal, windows) in specs.items():
            record_prediction(s, ids[name], model.id, prediction(metal, windows))
        record_failure(s, ids["broken"], "not a readable audio file")
        s.get(Track, ids["gone"]).status = TrackStatus.MISSING
        s.get(Track, ids["jazz"]).status = TrackStatus.OUT_OF_SCOPE
    return ids


def names(rows) -> list[str]:
    return [r.path.removeprefix("/music/").removesuffix(".mp3") for r in rows]


def test_window_disagreement() -> None:
    assert window_disagreement(prediction(0.9, [0.99] * 5 + [0.3] * 3)) == 3 / 8
    assert window_disagreement(prediction(0.9, [])) == 0.0


def test_review_queue_is_most_uncertain_first(library: Library, filled: dict[str, int]) -> None:
    with library.session() as s:
        queue = review_queue(s)
        # certainty: unsure-60 0.60, split-windows min(0.90, 1-0.375)=0.625, unsure-70 0.70
        assert names(queue) == ["unsure-60", "split-windows", "unsure-70"]
        assert all(r.needs_review for r in queue)
        assert names(review_queue(s, ReviewRule(threshold=0.65))) == ["unsure-60", "split-windows"]
        assert names(review_queue(s, ReviewRule(threshold=0.5, disagreement=0.5))) == []


def test_a_user_decision_leaves_the_queue_and_overrides_the_model(
    library: Library, filled: dict[str, int]
) -> None:
    with library.session() as s, s.begin():
        assert record_decision(s, [filled["unsure-60"], filled["sure-hardcore"]], "metal") == 2
    with library.session() as s:
        assert "unsure-60" not in names(review_queue(s))
        rows = {r.title: r for r in fetch_tracks(s)}
        assert rows["SURE-HARDCORE"].label == "metal"
        assert rows["SURE-HARDCORE"].decided_by == "user"
        assert rows["SURE-HARDCORE"].predicted_label == "hardcore"
        assert rows["SURE-METAL"].decided_by == "model"
        assert rows["WAITING"].label is None and rows["WAITING"].decided_by is None
        metal = fetch_tracks(s, TrackFilter(SmartList.LABEL, label="Metal"))
        assert names(metal) == ["split-windows", "sure-hardcore", "sure-metal", "unsure-60"]
        assert library_stats(s).decided_by == {"user": 2, "model": 3, "none": 4}
        detail = track_detail(s, filled["sure-hardcore"])
        assert [(lab.label, lab.source) for lab in detail.labels] == [("metal", "user-review")]
        assert len(detail.windows) == 8 and detail.probabilities["hardcore"] == pytest.approx(0.95)
    with library.session() as s, s.begin():
        clear_decision(s, [filled["unsure-60"]])
    with library.session() as s:
        assert names(review_queue(s))[0] == "unsure-60"


def test_classes_are_matched_case_insensitively() -> None:
    assert resolve_class("METAL", CLASSES) == "metal"
    with pytest.raises(UnknownClassError):
        resolve_class("jazz", CLASSES)


def test_smart_lists_counts_match_their_lists(library: Library, filled: dict[str, int]) -> None:
    from tagger.library.genre_map import DEFAULT_GENRE_MAP
    from tagger.library.tag_class import settle

    with library.session() as s, s.begin():
        s.get(Track, filled["sure-hardcore"]).genres = ["Thrash Metal"]  # tags against it
        s.get(Track, filled["unsure-60"]).genres = ["Doom"]  # tags confirm it: out of review
        settle(s, DEFAULT_GENRE_MAP)
    with library.session() as s:
        counts = smart_list_counts(s, CLASSES)
        assert [(c.title, c.count) for c in counts] == [
            ("All", 9),
            ("Hardcore", 2),
            ("Metal", 3),
            ("Needs review", 2),
            ("Not classified", 1),
            ("Out of scope", 1),
            ("Errors", 1),
            ("Missing", 1),
            ("Disagrees with its tags", 1),
        ]
        for c in counts:
            f = TrackFilter(c.key, label=c.label)
            assert count_tracks(s, f) == c.count == len(fetch_tracks(s, f))
        assert names(fetch_tracks(s, TrackFilter(SmartList.ERRORS))) == ["broken"]
        assert names(fetch_tracks(s, TrackFilter(SmartList.CONFLICTS))) == ["sure-hardcore"]
        assert fetch_tracks(s, TrackFilter(SmartList.ERRORS))[0].error


def test_paging_sorting_and_search(library: Library, filled: dict[str, int]) -> None:
    with library.session() as s:
        everything = names(fetch_tracks(s))
        assert everything == sorted(everything)
        pages = [names(fetch_tracks(s, offset=o, limit=4)) for o in (0, 4, 8)]
        assert sum(pages, []) == everything
        by_conf = fetch_tracks(s, sort="confidence", descending=True)
        confs = [r.confidence for r in by_conf if r.confidence is not None]
        assert confs == sorted(confs, reverse=True) and by_conf[-1].confidence is None
        assert names(fetch_tracks(s, TrackFilter(search="UNSURE"))) == ["unsure-60", "unsure-70"]
        assert names(fetch_tracks(s, TrackFilter(search="%"))) == []
        with pytest.raises(ValueError, match="cannot sort"):
            fetch_tracks(s, sort="nonsense")


def test_stats(library: Library, filled: dict[str, int]) -> None:
    with library.session() as s:
        stats = library_stats(s)
        assert stats.total == 9
        assert stats.per_label == {"hardcore": 2, "metal": 3, "unlabeled": 4}
        assert stats.per_status["ok"] == 5 and stats.per_status["error"] == 1
        assert stats.needs_review == 3
        assert [(m.name, m.tracks) for m in stats.models] == [("m", 5)]
        assert s.scalar(select(Track.status).where(Track.id == filled["waiting"])) == "new"


def test_a_whole_library_is_decided_and_cleared_at_once(library: Library) -> None:
    """70,000 tracks selected in the app: more ids than PostgreSQL takes bind parameters in
    one statement (65,535), so decisions go in chunks; each track gets one label row."""
    from sqlalchemy import func, insert

    from tagger.library.schema import Label

    n = 70_000
    with library.session() as s, s.begin():
        s.execute(
            insert(Track), [{"path": f"/m/{i:06d}.mp3", "size": 1, "mtime_ns": 1} for i in range(n)]
        )
        ids = list(s.scalars(select(Track.id)))
    with library.session() as s, s.begin():
        assert record_decision(s, [*ids, ids[0], -1], "metal") == n  # repeats and unknowns: once
    with library.session() as s:
        assert s.scalar(select(func.count()).where(Track.user_label == "metal")) == n
        assert s.scalar(select(func.count()).select_from(Label)) == n
    with library.session() as s, s.begin():
        assert clear_decision(s, ids) == n
    with library.session() as s:
        assert s.scalar(select(func.count()).where(Track.user_label.is_not(None))) == 0
        assert s.scalar(select(func.count()).select_from(Label)) == n  # the history stays
