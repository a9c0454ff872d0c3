"""`tagger list` and `tagger review` from the compiled-query cache print, byte for byte, what the
library's own queries print (the first run answers through SQLAlchemy and fills the cache, the
second reads the cache through sqlite3), for every list and option and output format, on a
library in every state (tests/varied_library.py); and a stale or damaged entry is never used."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from varied_library import fill_varied_library

from tagger.cli import main
from tagger.service import list_cache
from tagger.service.list_cache import ListRequest, cached_listing

FORMATS = ("table", "csv", "json")
LISTS = ("", "--review", "--missing", "--errors", "--out-of-scope", "--unclassified", "--conflicts")
OPTIONS = [
    ("--search", "reign"),
    ("--search", "100%"),  # LIKE's wildcard, escaped
    ("--search", "CAF"),  # case-insensitive, and in a name that is not UTF-8
    ("--label", "metal"),
    ("--label", "Bogus"),  # warns on stderr
    ("--threshold", "0.95"),
    ("--search", "m", "--label", "HARDCORE", "--threshold", "0.5"),
]
REVIEW_OPTIONS = [
    (),
    ("--limit", "2"),
    ("--threshold", "0.95"),
    ("--threshold", "0.3", "--limit", "1"),
]

CASES = (
    [("list", flag, f) for flag in LISTS for f in FORMATS]
    + [("list", flag, *o, f) for flag in ("", "--review") for o in OPTIONS for f in FORMATS]
    + [("review", *o, f) for o in REVIEW_OPTIONS for f in FORMATS]
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_varied_library(tmp_path_factory.mktemp("varied") / "library.db")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return list_cache.cache_dir()


def run(capsysbinary: pytest.CaptureFixture[bytes], argv: list[str]) -> tuple[int, bytes, bytes]:
    capsysbinary.readouterr()
    status = main(argv)
    out, err = capsysbinary.readouterr()
    return status, out, err


def argv_of(case: tuple[str, ...], db: Path) -> list[str]:
    command, *rest = [a for a in case if a]
    fmt = rest.pop()
    return [command, "--db", str(db), *rest, "--format", fmt]


def from_library_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache must answer from now on: asking the library fails the test."""

    def refuse(*_args: object) -> None:
        raise AssertionError("answered through SQLAlchemy, not from the cache")

    monkeypatch.setattr(list_cache, "_from_library", refuse)


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(a for a in c if a))
def test_the_cache_prints_what_the_library_prints(
    case, db, cache, capsysbinary, monkeypatch
) -> None:
    argv = argv_of(case, db)
    cold = run(capsysbinary, argv)
    assert cold[0] == 0, cold[2]
    assert len(list(cache.glob("*.json"))) == 1
    from_library_only(monkeypatch)
    assert run(capsysbinary, argv) == cold


@pytest.mark.parametrize("command", ["list", "review"])
def test_without_albums_the_cache_prints_what_the_library_prints(
    command, tmp_path, cache, capsysbinary, monkeypatch
) -> None:
    """No track against its album: the cache runs its statement without that list."""
    db = fill_varied_library(tmp_path / "no-albums.db", albums=False)
    argvs = [[command, "--db", str(db), "--format", f] for f in FORMATS]
    cold = [run(capsysbinary, argv) for argv in argvs]
    assert b"against its album" not in cold[1][1]
    from_library_only(monkeypatch)
    assert [run(capsysbinary, argv) for argv in argvs] == cold


def test_paths_are_mapped_to_this_host_alike(db, cache, capsysbinary, monkeypatch) -> None:
    monkeypatch.setenv("TAGGER_PATH_MAP", "/mnt/music=/m/loose")
    argv = ["list", "--db", str(db), "--format", "json"]
    cold = run(capsysbinary, argv)
    assert b'"/mnt/music/unsure.mp3"' in cold[1]
    from_library_only(monkeypatch)
    assert run(capsysbinary, argv) == cold


def test_the_library_shows_every_state(db, cache, capsysbinary) -> None:
    """The parity above compares lists that hold something: each reason and kind of row."""
    _, out, _ = run(capsysbinary, ["list", "--db", str(db), "--format", "json"])
    rows = json.loads(out)
    reasons = {r for row in rows for r in row["review_reasons"]}
    assert any(r.startswith("against its album:") for r in reasons)
    assert any(r.startswith("against its album's tags:") for r in reasons)
    by_path = {row["path"]: row["review_reasons"] for row in rows}
    for ours in ("/m/storm/written.mp3", "/m/storm/marked.mp3"):  # their "Metal" is not a tag
        assert any(r.startswith("against its album's tags:") for r in by_path[ours])
    assert any(r.startswith("low confidence") for r in reasons)
    assert any(r.startswith("windows disagree") for r in reasons)
    assert {r["status"] for r in rows} == {"ok", "error", "missing", "out-of-scope", "new"}
    assert {r["decided_by"] for r in rows} == {"user", "model", None}
    assert {r["model"] for r in rows} == {"two", "three", None}
    _, out, _ = run(capsysbinary, ["list", "--db", str(db), "--conflicts", "--format", "json"])
    assert json.loads(out)


def review_paths(capsysbinary, db: Path) -> list[str]:
    _, out, _ = run(capsysbinary, ["review", "--db", str(db), "--format", "json"])
    return [r["path"] for r in json.loads(out)]


def test_a_settings_change_that_enters_the_sql_is_a_new_entry(
    db, cache, capsysbinary, tmp_path
) -> None:
    settings = Path(tmp_path / "settings.json")
    settings.write_text(json.dumps({"threshold": 0.8}))
    before = review_paths(capsysbinary, db)
    assert review_paths(capsysbinary, db) == before  # from the cache
    # (a stricter threshold adds no track here: the library's sure tracks agree with their tags)
    settings.write_text(json.dumps({"threshold": 0.55}))
    after = review_paths(capsysbinary, db)
    assert len(after) < len(before)
    assert len(list(cache.glob("*.json"))) == 2
    assert review_paths(capsysbinary, db) == after


def tamper(cache: Path) -> None:
    """Make the one entry answer wrongly if it is used: only its first row."""
    (entry,) = cache.glob("*.json")
    raw = json.loads(entry.read_text())
    for name in ("rows", "rows_against"):
        sql = raw["statements"][name]["sql"]
        raw["statements"][name]["sql"] = f"SELECT * FROM ({sql}) LIMIT 1"
    entry.write_text(json.dumps(raw))


def test_an_entry_is_used_as_it_is(db, cache, capsysbinary) -> None:
    """The test below can see a used entry: a tampered one changes the output."""
    argv = ["list", "--db", str(db), "--format", "csv"]
    cold = run(capsysbinary, argv)
    tamper(cache)
    assert run(capsysbinary, argv) != cold


def test_another_tagger_version_does_not_use_the_entry(
    db, cache, capsysbinary, monkeypatch
) -> None:
    argv = ["list", "--db", str(db), "--format", "csv"]
    cold = run(capsysbinary, argv)
    tamper(cache)
    monkeypatch.setattr(list_cache, "__version__", "999.0")
    assert run(capsysbinary, argv) == cold
    assert len(list(cache.glob("*.json"))) == 2


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"key": 1}', b"\xff\xfe", b"[]"])
def test_a_damaged_entry_is_replaced(db, cache, capsysbinary, damage) -> None:
    argv = ["list", "--db", str(db), "--review", "--format", "json"]
    cold = run(capsysbinary, argv)
    (entry,) = cache.glob("*.json")
    entry.write_bytes(damage)
    assert run(capsysbinary, argv) == cold
    assert json.loads(entry.read_text())["statements"]  # written again
    assert cached_listing(str(db), ListRequest("list", "review")) is not None


def test_a_library_at_another_schema_revision_is_opened_normally(
    tmp_path, cache, capsysbinary
) -> None:
    db = fill_varied_library(tmp_path / "library.db")
    argv = ["list", "--db", str(db)]
    assert run(capsysbinary, argv)[0] == 0
    assert cached_listing(str(db), ListRequest("list")) is not None
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'from-a-newer-tagger'")
    connection.close()
    assert cached_listing(str(db), ListRequest("list")) is None
    status, out, err = run(capsysbinary, argv)
    assert status == 2 and out == b"" and b"newer tagger" in err


def test_a_library_given_as_a_url_is_opened_normally(db, cache, capsysbinary) -> None:
    url = f"sqlite:///{db}"
    plain = run(capsysbinary, ["list", "--db", str(db)])
    assert run(capsysbinary, ["list", "--db", url]) == plain
    assert cached_listing(url, ListRequest("list")) is None


def test_a_track_with_new_genres_is_answered_by_the_library(tmp_path, cache, capsysbinary) -> None:
    """The review rule reads each track's own tag class, which only a writer settles: until the
    library has, the cache does not answer (tag_class.py)."""
    db = fill_varied_library(tmp_path / "library.db")
    argv = ["review", "--db", str(db), "--format", "csv"]
    cold = run(capsysbinary, argv)
    assert cached_listing(str(db), ListRequest("review")) is not None
    with sqlite3.connect(db) as connection:  # as a scan leaves a track whose tags it read anew
        connection.execute(
            "UPDATE tracks SET genres = '[\"Death Metal\"]', tag_class_map = NULL "
            "WHERE path = '/m/loose/unsure.mp3'"
        )
    connection.close()
    assert cached_listing(str(db), ListRequest("review")) is None
    status, out, _ = run(capsysbinary, argv)
    assert status == 0 and b"unsure.mp3" in cold[1] and b"unsure.mp3" not in out
    assert cached_listing(str(db), ListRequest("review")) is not None  # settled: answers again
