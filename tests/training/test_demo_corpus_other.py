"""The demo corpus's third class, `other`: planned, arranged, rendered and asked for on the CLI."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from tagger.audio.decode import probe
from tagger.cli import main
from tagger.training.demo_corpus import plan_demo_corpus, render_track
from tagger.training.demo_corpus.arrangement import arrange
from tagger.training.demo_corpus.score import KINDS, OTHER, Harmony, kinds_of

THREE = ("metal", "hardcore", "other")


def test_three_labels_take_turns_and_other_is_its_own_music():
    plans = plan_demo_corpus(90, seed=4, duration_range=(30, 60), labels=THREE)
    assert Counter(p.label for p in plans) == {label: 30 for label in THREE}
    assert [p.label for p in plans[:3]] == list(THREE)
    for p in plans:
        styles = {p.parts[s.part].style for s in p.sections}
        assert p.relpath.startswith(f"{p.label}/")
        if p.label == OTHER:
            assert styles <= {OTHER, "neutral"} and OTHER in styles and not p.mixed
            assert not any(part.vocals or part.gang for part in p.parts)  # instrumental
        else:
            assert OTHER not in styles
    drive = {label: [p.sound.guitar.drive for p in plans if p.label == label] for label in THREE}
    assert max(drive["other"]) < 3.2 < np.median(drive["metal"])  # clean against distorted
    assert any(p.mixed for p in plans if p.label != OTHER)  # metal/hardcore still mix


def test_adding_other_leaves_the_two_class_corpus_as_it_was():
    assert plan_demo_corpus(40, seed=2, duration_range=(20, 40)) == plan_demo_corpus(
        40, seed=2, duration_range=(20, 40), labels=("metal", "hardcore")
    )


def test_unknown_labels_are_refused():
    with pytest.raises(ValueError, match="labels must be"):
        plan_demo_corpus(3, labels=("metal", "polka"))
    with pytest.raises(ValueError, match="labels must be"):
        plan_demo_corpus(3, labels=("metal", "metal"))


@pytest.mark.parametrize("kind", kinds_of(OTHER))
def test_other_kinds_write_drums_and_notes_on_their_grid(kind):
    harmony = Harmony(low=40, root=45, scale=(0, 2, 3, 5, 7, 8, 10))
    score = arrange(kind, harmony, bars=2, seed=7, fill=False, vocals=False, gang=False)
    assert score.steps == 2 * 4 * KINDS[kind].steps_per_beat
    assert score.drums.get("kick") and score.guitar and not score.vocals
    assert all(0 <= n.step < score.steps for n in score.guitar)
    if kind == "four_floor":  # the kick on every beat
        assert {s for s, _ in score.drums["kick"]} == set(range(0, score.steps, 4))


def test_an_other_track_renders_to_a_readable_file(tmp_path):
    plan = next(p for p in plan_demo_corpus(3, 1, (6, 7), labels=THREE) if p.label == OTHER)
    track = render_track(plan, tmp_path)
    assert track.path.parent.name == OTHER and track.label == OTHER
    assert probe(track.path).duration == pytest.approx(plan.duration, abs=0.2)


def test_cli_renders_three_class_folders(tmp_path, capsys):
    out = tmp_path / "three"
    args = ["demo-corpus", str(out), "--tracks", "3", "--min-seconds", "3", "--max-seconds", "4"]
    assert main([*args, "--classes", "metal,hardcore,other"]) == 0
    assert sorted(d.name for d in out.iterdir() if d.is_dir()) == ["hardcore", "metal", "other"]
    assert json.loads((out / "corpus.json").read_text())["labels"] == list(THREE)
    assert "1 other" in capsys.readouterr().out
    assert main([*args, "--classes", "metal,polka"]) == 2
