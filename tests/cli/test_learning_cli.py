"""`tagger genres`, `train --from-library`, `models`, `models use`, `list --conflicts`, end to end
on a small generated library whose genre tags come in varied spellings."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from audio_factory import tone, write_audio
from mutagen.flac import FLAC

from tagger.cli import main
from tagger.library.genre_map import DEFAULT_GENRE_MAP
from tagger.library.settings import Settings
from tagger.model.checkpoint import default_model_path, read_metadata, read_model_info
from tagger.model.predictor import Predictor

SPELLINGS = {
    "metal": ["Death-Metal", "thrash metal", "DOOM"],
    "hardcore": ["NYHC", "hardcore_punk"],
}


@pytest.fixture(scope="module")
def tagged_library(tiny_corpus: Path, tmp_path_factory) -> tuple[Path, Path]:
    """The tiny corpus copied and retagged: 12 of 14 tracks per class tagged, 2 untagged."""
    root = tmp_path_factory.mktemp("learn-cli")
    music = root / "music"
    shutil.copytree(tiny_corpus, music)
    for cls, names in SPELLINGS.items():
        for i, path in enumerate(sorted((music / cls).glob("*.flac"))):
            tags = FLAC(path)
            tags["album"] = f"{cls} album {i // 4}"
            if i < 12:
                tags["genre"] = names[i % len(names)]
            tags.save()
    db = root / "library.db"
    assert main(["scan", str(music), "--db", str(db), "--no-classify"]) == 0
    return music, db


def test_genres_lists_spellings_with_counts_and_targets(tagged_library, capsys) -> None:
    _, db = tagged_library
    assert main(["genres", "--db", str(db), "--json"]) == 0
    rows = {
        r["genre"].casefold(): (r["tracks"], r["target"])
        for r in json.loads(capsys.readouterr().out)
    }
    assert rows["nyhc"] == (6, "hardcore")
    assert rows["doom"] == (4, "metal")
    assert rows["hardcore_punk"] == (6, "hardcore")


def test_the_whole_learning_flow(tagged_library, capsys) -> None:
    """genres → train --from-library → models → models use → scan → list → tag --per-album, as
    the README shows it: the scan after the switch takes the trained tracks' windows from the
    feature cache, and every in-scope track, the untagged ones included, gets the new label."""
    music, db = tagged_library
    lib = ["--db", str(db)]
    out = music.parent / "mine.safetensors"
    argv = ["train", "--from-library", *lib, "--out", str(out), "--epochs", "1", "--workers", "1"]
    assert main([*argv, "--no-resume"]) == 0
    printed, logged = capsys.readouterr()
    assert "metal 12 (12 tag)" in printed and "hardcore 12 (12 tag)" in printed
    held_out = int(re.search(r"held-out test: (\d+) tracks", printed).group(1))
    assert "no refit: 1 more epochs would pass the cap of 1" in logged  # --epochs 1
    cache = Path(os.environ["TAGGER_FEATURE_CACHE"])  # the user cache the scan reads too
    assert len(list(cache.glob("*.npz"))) == 24  # every labeled track's windows

    assert main(["models", *lib, "--json"]) == 0
    models = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert models["mine"]["labels_used"] == 24 and not models["mine"]["active"]
    assert models["mine"]["held_out_accuracy"] is not None
    assert models["mine"]["held_out_tracks"] == held_out
    assert main(["models", *lib]) == 0  # the figure with what it is of: a few tracks are noisy
    assert f" ({held_out} tracks) " in capsys.readouterr().out

    assert main(["models", "use", "mine", *lib]) == 0
    printed = capsys.readouterr().out
    assert f"active model: {out.resolve()}" in printed
    assert "the 28 in-scope tracks" in printed and "24 of them have their windows" in printed
    assert Settings.load().model_path == str(out.resolve())
    assert main(["models", *lib, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["active"]

    # The next scan brings every in-scope track to the active model, decoding only the 4
    # untagged tracks (the cached ones are checked against decoding in test_cached_windows).
    assert main(["scan", str(music), *lib]) == 0
    printed = capsys.readouterr().out
    assert "classified 28 of 28 with mine (24 from the feature cache" in printed
    assert main(["list", *lib, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 28 and all(r["model"] == "mine" for r in rows)
    untagged = [r for r in rows if not r["genres"]]
    assert len(untagged) == 4
    assert all(r["label"] in ("metal", "hardcore") and r["decided_by"] == "model" for r in untagged)
    assert main(["list", "--conflicts", *lib, "--format", "json"]) == 0
    conflicts = json.loads(capsys.readouterr().out)
    for c in conflicts:  # each one's tags map to the class it was NOT given (no refit: no doubt)
        tagged = DEFAULT_GENRE_MAP.label(c["genres"]).label
        assert tagged is not None and c["label"] != tagged and c["tag_doubt"] is None

    # Per album: a preview that gives each album's tracks one verdict, and writes nothing.
    before = {p: p.stat().st_mtime_ns for p in music.rglob("*.flac")}
    assert main(["tag", "--per-album", *lib]) == 0
    printed = capsys.readouterr().out
    assert "preview" in printed.lower()
    assert {p: p.stat().st_mtime_ns for p in music.rglob("*.flac")} == before


def test_a_scan_by_the_bundled_model_offers_to_learn_from_the_tags(
    tagged_library, tmp_path: Path, capsys
) -> None:
    music, _ = tagged_library
    db = ["--db", str(tmp_path / "fresh.db")]  # a library of its own, classified at once
    assert main(["scan", str(music), *db, "--workers", "1"]) == 0
    offer = capsys.readouterr().err.splitlines()[-1]
    assert offer.startswith("the bundled model has only heard synthetic music")
    assert "label 12 hardcore and 12 metal tracks" in offer
    assert "`tagger train --from-library --out mine.safetensors`" in offer

    model = tmp_path / "chosen.safetensors"  # a model of the user's own, chosen for this scan
    shutil.copy(default_model_path(), model)
    assert main(["scan", str(music), *db, "--workers", "1", "--model", str(model)]) == 0
    assert "bundled model" not in capsys.readouterr().err


def test_the_library_itself_as_the_output_is_refused(tagged_library, capsys) -> None:
    """A slip of the hand, `--out library.db`: the library stays a library."""
    _, db = tagged_library
    before = db.read_bytes()
    argv = ["train", "--from-library", "--db", str(db), "--out", str(db), "--workers", "1"]
    assert main(argv) == 2
    assert "exists and is not a model file; it is left as it is" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert main(["genres", "--db", str(db)]) == 0


def test_models_remove_forgets_a_model_and_its_predictions(
    tagged_library, random_model: Path, tmp_path: Path, capsys
) -> None:
    music, _ = tagged_library
    db = ["--db", str(tmp_path / "fresh.db")]
    model = Path(shutil.copy(random_model, tmp_path / "tried.safetensors"))
    assert main(["scan", str(music), *db, "--workers", "1", "--model", str(model)]) == 0
    capsys.readouterr()

    assert main(["models", "remove", "tried", *db, "--delete-file"]) == 0
    printed = capsys.readouterr().out
    assert f"removed model 'tried' and its 28 predictions; deleted {model}" in printed
    assert "28 tracks had their current prediction from it" in printed
    assert not model.exists()
    assert main(["models", *db]) == 0
    assert "no models yet" in capsys.readouterr().out
    assert main(["list", *db, "--format", "json"]) == 0
    assert {r["status"] for r in json.loads(capsys.readouterr().out)} <= {"new", "out-of-scope"}
    assert main(["models", "remove", "tried", *db]) == 2
    assert "no model 'tried' in this library" in capsys.readouterr().err


def test_the_conflicts_table_shows_the_tags_beside_the_verdict(
    tagged_library, tmp_path, capsys
) -> None:
    music, master = tagged_library
    db = tmp_path / "library.db"
    shutil.copyfile(master, db)
    death = next(
        p for p in sorted((music / "metal").glob("*.flac")) if FLAC(p)["genre"] == ["Death-Metal"]
    )
    assert main(["label", str(death), "--as", "hardcore", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["list", "--conflicts", "--db", str(db)]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["STATUS", "VERDICT", "GENRES", "WHY", "PATH"]
    assert len(rows) == 1 and "Hardcore" in rows[0] and "Death-Metal" in rows[0]
    assert "verdict against its tags" in rows[0]
    assert rows[0].endswith(str(death))


def test_train_from_library_with_too_few_labels_says_why(tmp_path, capsys) -> None:
    db = tmp_path / "empty.db"
    code = main(
        ["train", "--from-library", "--db", str(db), "--out", str(tmp_path / "x.safetensors")]
    )
    assert code == 2
    assert "at least" in capsys.readouterr().err


def test_models_use_refuses_what_is_not_a_model(tmp_path, capsys) -> None:
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"nope")
    assert main(["models", "use", str(junk), "--db", str(tmp_path / "l.db")]) == 2
    assert "cannot use model" in capsys.readouterr().err


def quick_train_argv(db: Path, out: Path, *options: str) -> list[str]:
    """`tagger train --from-library` on two windows per track, one core, no checkpoint."""
    return ["train", "--from-library", "--db", str(db), "--out", str(out),
            "--windows-per-track", "2", "--val-windows-per-track", "2", "--workers", "1",
            "--no-resume", *options]  # fmt: skip


def test_no_refit_delivers_the_split_runs_model(tagged_library, capsys):
    """Without the flag the run either refits or says why not; with it, neither."""
    music, db = tagged_library
    out = music.parent / "split-only.safetensors"
    argv = quick_train_argv(db, out, "--epochs", "4", "--patience", "1", "--no-refit")
    assert main(argv) == 0
    assert "refit" not in "".join(capsys.readouterr())
    assert read_metadata(out)["training"]["refit"] is None


def test_share_by_artist_is_the_runs_and_is_kept_in_the_model(tagged_library, capsys):
    music, db = tagged_library
    out = music.parent / "per-artist.safetensors"
    argv = quick_train_argv(db, out, "--epochs", "1", "--no-refit", "--share-by", "artist")
    assert main(argv) == 0
    assert read_metadata(out)["training"]["config"]["share_by"] == "artist"
    argv[-1] = "album"
    with pytest.raises(SystemExit):
        main(argv)
    assert "invalid choice" in capsys.readouterr().err


def test_short_tracks_overlap_by_default_and_the_model_says_so(tagged_library, capsys):
    """The library recipe reads tracks under 3 minutes as 60 full overlapping windows; the
    model's front end records it, so everything that classifies with it cuts tracks the same
    way; --short-tracks pad keeps the paper's padded parts."""
    music, db = tagged_library
    for choice, overlap in ((None, True), ("pad", False)):
        out = music.parent / f"short-{choice}.safetensors"
        extra = [] if choice is None else ["--short-tracks", choice]
        assert main(quick_train_argv(db, out, "--epochs", "1", "--no-refit", *extra)) == 0
        assert read_model_info(out).frontend.overlap_short_tracks is overlap
        assert read_metadata(out)["training"]["config"]["overlap_short_tracks"] is overlap
        track = write_audio(music.parent / "ten.flac", tone(10.0, 16_000), 16_000)
        for runtime in ("torch", "onnx"):  # 60 parts of 0.17 s, or 60 windows of 3 s
            windows = Predictor.load(out, runtime=runtime).classify(track).windows
            lengths = {round(w.end - w.start, 2) for w in windows}
            assert len(windows) == 60 and (lengths == {3.0}) is overlap
    capsys.readouterr()


def test_genres_the_tagger_wrote_are_not_labels(tiny_corpus: Path, tmp_path, capsys) -> None:
    """A user classifies an untagged library, writes the model's verdicts into the files, then
    asks to train from the library: the genres just written are not offered as labels."""
    music = tmp_path / "music"
    shutil.copytree(tiny_corpus, music)
    lib = ["--db", str(tmp_path / "library.db")]
    assert main(["scan", str(music), *lib]) == 0
    assert main(["tag", *lib, "--apply", "--include-unreviewed"]) == 0
    assert "wrote 28 files" in capsys.readouterr().out

    assert main(["genres", *lib]) == 0
    assert "28 of these genre values were written by `tagger tag`" in capsys.readouterr().out
    out = tmp_path / "mine.safetensors"
    assert main(["train", "--from-library", *lib, "--out", str(out), "--epochs", "1"]) == 2
    assert "labels found: none" in capsys.readouterr().err


def test_genres_a_replace_took_out_are_still_listed_as_the_users(
    tiny_corpus: Path, tmp_path, capsys
) -> None:
    """Sub-genre tags, then the verdicts written with `--mode replace`: the files say only
    "Metal" or "Hardcore", and `tagger genres` still lists the user's genres, saying why."""
    music = tmp_path / "music"
    shutil.copytree(tiny_corpus, music)
    for cls, genre in (("metal", "Thrash Metal"), ("hardcore", "NYHC")):
        for path in sorted((music / cls).glob("*.flac"))[:3]:
            tags = FLAC(path)
            tags["genre"] = genre
            tags.save()
    lib = ["--db", str(tmp_path / "library.db")]
    assert main(["scan", str(music), *lib]) == 0
    assert main(["tag", *lib, "--mode", "replace", "--apply", "--include-unreviewed"]) == 0
    assert "wrote 28 files" in capsys.readouterr().out
    assert not {FLAC(p)["genre"][0] for p in music.rglob("*.flac")} - {"Metal", "Hardcore"}

    assert main(["genres", *lib]) == 0
    out = capsys.readouterr().out
    assert "6 of these genre values are no longer in the files" in out
    assert main(["genres", *lib, "--json"]) == 0
    rows = {r["genre"]: (r["tracks"], r["replaced"]) for r in json.loads(capsys.readouterr().out)}
    assert rows["Thrash Metal"] == rows["NYHC"] == (3, 3)


def test_a_new_library_does_not_learn_genres_a_marked_write_added(
    tiny_corpus: Path, tmp_path, capsys
) -> None:
    """The same, written with --extra-fields, then scanned into a library made anew (which
    has no record of the write): the files' MHT_MODEL says whose genres those are."""
    music = tmp_path / "music"
    shutil.copytree(tiny_corpus, music)
    first = ["--db", str(tmp_path / "first.db")]
    assert main(["scan", str(music), *first]) == 0
    assert main(["tag", *first, "--apply", "--include-unreviewed", "--extra-fields"]) == 0
    assert "wrote 28 files" in capsys.readouterr().out

    fresh = ["--db", str(tmp_path / "fresh.db")]
    assert main(["scan", "--no-classify", str(music), *fresh]) == 0
    assert main(["genres", *fresh]) == 0
    assert "28 of these genre values were written by `tagger tag`" in capsys.readouterr().out
    out = tmp_path / "mine.safetensors"
    assert main(["train", "--from-library", *fresh, "--out", str(out), "--epochs", "1"]) == 2
    assert "labels found: none" in capsys.readouterr().err


def test_a_quick_retrain_repeats_the_refit_and_carries_the_figures(
    tagged_library, tmp_path, capsys
) -> None:
    """A new decision, then `train --from-library --quick`: the active model's refit again (its
    epochs, learning rate and temperature) on every label of today, its figures carried and
    said to be so; refused, with the reason, where there is no refit of this library to repeat."""
    music, master = tagged_library
    db = tmp_path / "library.db"
    shutil.copyfile(master, db)
    first, second = tmp_path / "first.safetensors", tmp_path / "second.safetensors"
    assert main(quick_train_argv(db, first, "--epochs", "4")) == 0
    earlier = read_metadata(first)
    assert earlier["training"]["refit"]["epochs"] >= 1
    quick = ["train", "--from-library", "--quick", "--db", str(db), "--out", str(second)]
    capsys.readouterr()
    assert main([*quick, "--workers", "1"]) == 2  # the active model is the bundled one
    assert "not trained from this library: a full run is needed first" in capsys.readouterr().err
    assert main([*quick, "--epochs", "2"]) == 2
    assert "leave out the recipe options" in capsys.readouterr().err

    assert main(["models", "use", "first", "--db", str(db)]) == 0
    untagged = next(p for p in sorted((music / "metal").glob("*.flac")) if "genre" not in FLAC(p))
    assert main(["label", str(untagged), "--as", "metal", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main([*quick, "--workers", "1"]) == 0
    printed, logged = capsys.readouterr()
    assert "quick retrain: the refit of model 'first'" in logged
    assert "carried from model 'first' on its 24 labels" in printed
    retrained = read_metadata(second)
    training = retrained["training"]
    assert training["quick_retrain_of"] == "first" and training["history"] == []
    assert all(m < 0 for m in training["doubted_labels"].values())  # its refit doubts too
    assert training["refit"]["epochs"] == earlier["training"]["refit"]["epochs"]
    assert training["refit"]["tracks"] == 25  # the decided track too
    assert training["learning_rate"] == earlier["training"]["learning_rate"]
    assert training["labels"]["metal"] == {"decision": 1, "tag": 12}
    for carried in ("test", "validation", "calibration"):
        assert retrained["metrics"][carried] == earlier["metrics"][carried]
    assert retrained["metrics"]["carried_from"] == {"model": "first", "labels": 24}

    assert main(["models", "--db", str(db)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "second" in line)
    assert re.search(r"\(\d+ tracks, of first\)", row)


def test_the_tags_a_training_doubts_are_listed_with_the_conflicts(
    tagged_library, tmp_path, capsys
) -> None:
    """A training with a refit names the labels it learnt only by rote (training/refit.py); the
    library keeps those of its own tags (library/tag_doubts.py), and `list --conflicts` shows
    them, whatever the verdict, saying why; a decision takes one out."""
    music, master = tagged_library
    db = tmp_path / "library.db"
    shutil.copyfile(master, db)
    out = tmp_path / "doubts.safetensors"
    assert main(quick_train_argv(db, out, "--epochs", "4")) == 0
    doubted = read_metadata(out)["training"]["doubted_labels"]
    assert doubted and all(m < 0 for m in doubted.values())  # a short refit doubts some
    capsys.readouterr()
    assert main(["list", "--conflicts", "--db", str(db), "--format", "json"]) == 0
    listed = {r["path"]: r["tag_doubt"] for r in json.loads(capsys.readouterr().out)}
    assert {p: m for p, m in listed.items() if m is not None} == pytest.approx(doubted)
    assert main(["list", "--conflicts", "--db", str(db)]) == 0
    table = capsys.readouterr().out
    first, margin = next(iter(doubted.items()))
    line = next(row for row in table.splitlines() if row.endswith(first))
    assert f"tag learnt only by rote (margin {margin:+.2f})" in line

    label = DEFAULT_GENRE_MAP.label(FLAC(first)["genre"]).label
    assert main(["label", first, "--as", label, "--db", str(db)]) == 0  # heard: the tag is right
    capsys.readouterr()
    assert main(["list", "--conflicts", "--db", str(db), "--format", "json"]) == 0
    assert first not in {r["path"] for r in json.loads(capsys.readouterr().out)}
