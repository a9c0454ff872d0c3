"""The demo corpus plan: deterministic for a seed, with the structure the trainer relies on
(artists, years, mixed tracks) and the same global ranges for both labels."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from tagger.training.demo_corpus import FORMATS, STYLES, plan_demo_corpus
from tagger.training.demo_corpus.artists import word_lists


def test_plan_is_deterministic_for_a_seed():
    a = plan_demo_corpus(30, seed=11, duration_range=(20, 40))
    b = plan_demo_corpus(30, seed=11, duration_range=(20, 40))
    c = plan_demo_corpus(30, seed=12, duration_range=(20, 40))
    assert a == b
    assert [p.tempo for p in a] != [p.tempo for p in c]


def test_plan_structure_for_training():
    plans = plan_demo_corpus(240, seed=0)
    labels = Counter(p.label for p in plans)
    assert labels == {"metal": 120, "hardcore": 120}
    assert [p.label for p in plans[:4]] == ["metal", "hardcore", "metal", "hardcore"]

    by_artist = defaultdict(set)
    for p in plans:
        by_artist[p.artist].add(p.label)
    assert all(len(v) == 1 for v in by_artist.values()), "an artist plays one style only"
    sizes = Counter(p.artist for p in plans)
    assert min(sizes.values()) >= 3 and len(sizes) >= 20

    years = [p.year for p in plans]
    assert min(years) >= 1985 and max(years) <= 2024
    assert len({y // 10 for y in years}) >= 4  # decades from the 80s to the 2020s
    assert sum(p.genre == "" for p in plans) > 10
    assert Counter(p.format for p in plans) == {f: 48 for f in FORMATS}

    mixed = [p for p in plans if p.mixed]
    assert 0.15 <= len(mixed) / len(plans) <= 0.2
    for p in mixed:
        assert 0.15 <= p.style_mix < 0.5  # the label stays the majority style
        assert {p.parts[s.part].style for s in p.sections} >= {"metal", "hardcore"}
    for p in plans:
        assert p.sections[0].start == 0 and abs(p.sections[-1].end - p.duration) < 1e-6
        assert len(p.sections) >= 3
        assert 90 <= p.tempo <= 220


def test_both_labels_share_the_global_parameter_ranges():
    plans = plan_demo_corpus(240, seed=0)
    for get in (
        lambda p: p.tempo,
        lambda p: p.sound.loudness_db,
        lambda p: p.sound.tilt,
        lambda p: p.sound.tuning_low,
        lambda p: p.sound.guitar.drive,
    ):
        metal = [get(p) for p in plans if p.label == "metal"]
        hardcore = [get(p) for p in plans if p.label == "hardcore"]
        # Each label's middle half lies inside the other label's range.
        assert np.percentile(metal, 25) > min(hardcore) and np.percentile(metal, 75) < max(hardcore)
        assert np.percentile(hardcore, 25) > min(metal) and np.percentile(hardcore, 75) < max(metal)


def test_word_lists_cover_every_label():
    """words.json is package data: each label has two band-word lists and genres to draw."""
    words = word_lists()
    for label in STYLES:
        first, second = words.band_words[label]
        assert len(first) >= 8 and len(second) >= 8
        assert words.genres[label]
    assert len(words.title_words) >= 2
