import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagger.audio.segments import (
    N_PARTS,
    WINDOW_SAMPLES,
    Segment,
    pad_offset,
    place_in_window,
    segment_plan,
)


def test_window_is_three_seconds_at_44k1():
    assert WINDOW_SAMPLES == 132_300


@given(st.integers(min_value=WINDOW_SAMPLES, max_value=44_100 * 3600 * 3))
def test_plan_cuts_sixty_equal_parts_and_keeps_at_most_three_seconds(total):
    plan = segment_plan(total)
    assert len(plan) == N_PARTS
    for i, seg in enumerate(plan):
        assert seg.start == (i * total) // N_PARTS  # t_i = floor(i·T/60)
        next_start = ((i + 1) * total) // N_PARTS
        assert seg.length == min(next_start - seg.start, WINDOW_SAMPLES)
        assert seg.end <= total


def test_long_part_keeps_its_first_three_seconds():
    total = 44_100 * 240  # 4 minutes: 4 s parts
    plan = segment_plan(total)
    assert plan[1] == Segment(start=total // 60, length=WINDOW_SAMPLES)


def test_short_track_gets_one_window_with_all_of_it():
    assert segment_plan(44_100) == [Segment(0, 44_100)]
    assert segment_plan(0) == []


def test_padding_is_centred_at_inference_and_random_in_training():
    audio = np.ones((2, 100), dtype=np.float32)
    centred = place_in_window(audio, window=300, align=1)
    assert centred.shape == (2, 300)
    assert np.flatnonzero(centred[0])[0] == 100  # (300 - 100) // 2
    # By default centred on whole hops (512 samples), as the feature cache shifts windows
    assert pad_offset(100, 300, None) == 0
    assert pad_offset(100, 100 + 5 * 512 + 300, None) == 2 * 512
    rng = np.random.default_rng(0)
    offsets = {pad_offset(100, 300, rng) for _ in range(200)}
    assert min(offsets) >= 0 and max(offsets) <= 200 and len(offsets) > 50


def test_full_window_is_not_padded():
    audio = np.arange(2 * 400, dtype=np.float32).reshape(2, 400)
    out = place_in_window(audio, window=300, rng=np.random.default_rng(0))
    assert np.array_equal(out, audio[:, :300])


@pytest.mark.parametrize("total", [WINDOW_SAMPLES, WINDOW_SAMPLES * 60, WINDOW_SAMPLES * 61 + 7])
def test_parts_never_overlap(total):
    plan = segment_plan(total)
    assert all(a.end <= b.start for a, b in zip(plan, plan[1:], strict=False))


@given(st.integers(min_value=WINDOW_SAMPLES, max_value=WINDOW_SAMPLES * N_PARTS - 1))
def test_overlap_gives_a_short_track_sixty_full_windows_from_its_start_to_its_end(total):
    plan = segment_plan(total, overlap=True)
    assert len(plan) == N_PARTS
    assert all(seg.length == WINDOW_SAMPLES for seg in plan)  # no silence added
    assert plan[0].start == 0 and plan[-1].end == total  # the whole track is heard
    gaps = [b.start - a.start for a, b in zip(plan, plan[1:], strict=False)]
    assert max(gaps) - min(gaps) <= 1  # evenly spaced


@pytest.mark.parametrize("total", [44_100, WINDOW_SAMPLES * N_PARTS, 44_100 * 240])
def test_overlap_leaves_the_paper_plan_where_parts_are_whole_windows_or_the_track_is_tiny(total):
    assert segment_plan(total, overlap=True) == segment_plan(total)


def test_a_one_minute_track_padded_and_overlapped():
    total = 44_100 * 60
    padded, overlapped = segment_plan(total), segment_plan(total, overlap=True)
    assert {s.length for s in padded} == {44_100}  # 1 s of music, 2 s of silence per window
    assert overlapped[1].start - overlapped[0].start == (total - WINDOW_SAMPLES) // 59
