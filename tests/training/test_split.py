from collections import Counter
from pathlib import Path

from tagger.training.dataset import LabeledTrack
from tagger.training.split import split_tracks


def tracks(n_artists: int = 20, per_artist: int = 5) -> list[LabeledTrack]:
    out = []
    for a in range(n_artists):
        label = "metal" if a % 2 else "hardcore"
        for i in range(per_artist):
            out.append(LabeledTrack(Path(f"/d/{label}/{a}_{i}.mp3"), label, f"Artist {a}", 2000))
    return out


def test_split_is_by_track_and_artist_and_covers_everything():
    data = tracks()
    split = split_tracks(data, seed=0)
    parts = [split.train, split.val, split.test]
    paths = [{t.path for t in p} for p in parts]
    assert not (paths[0] & paths[1] or paths[0] & paths[2] or paths[1] & paths[2])
    assert sum(len(p) for p in paths) == len(data)
    artists = [{t.artist for t in p} for p in parts]
    assert not (artists[0] & artists[1] or artists[0] & artists[2] or artists[1] & artists[2])


def test_split_is_stratified_near_70_15_15():
    split = split_tracks(tracks(40, 3), seed=1)
    n = 120
    assert abs(len(split.test) / n - 0.15) < 0.05 and abs(len(split.val) / n - 0.15) < 0.05
    for part in (split.train, split.val, split.test):
        counts = Counter(t.label for t in part)
        assert counts["metal"] and counts["hardcore"]
        assert abs(counts["metal"] - counts["hardcore"]) <= 3


def test_split_is_seeded():
    a, b = split_tracks(tracks(), seed=5), split_tracks(tracks(), seed=5)
    assert [t.path for t in a.test] == [t.path for t in b.test]
    c = split_tracks(tracks(), seed=6)
    assert [t.path for t in a.test] != [t.path for t in c.test]


def test_untagged_tracks_are_their_own_groups():
    data = [
        LabeledTrack(Path(f"/d/{lab}/{i}.mp3"), lab, None, None)
        for lab in ("a", "b")
        for i in range(20)
    ]
    split = split_tracks(data, seed=0)
    assert len(split.test) == 6 and len(split.val) == 6


def test_an_album_never_straddles_the_split_even_across_artists():
    """A compilation (one album, many artists) joins those artists into one group."""
    data = []
    for a in range(30):
        label = "metal" if a % 2 else "hardcore"
        album = f"Comp {a // 3}"  # three artists per album
        for i in range(3):
            data.append(
                LabeledTrack(Path(f"/d/{a}_{i}.mp3"), label, f"Artist {a}", 2000, album=album)
            )
    split = split_tracks(data, seed=3)
    albums = [{t.album for t in p} for p in (split.train, split.val, split.test)]
    assert albums[1] and albums[2]
    assert not (albums[0] & albums[1] or albums[0] & albums[2] or albums[1] & albums[2])
    artists = [{t.artist for t in p} for p in (split.train, split.val, split.test)]
    assert not (artists[0] & artists[1] or artists[0] & artists[2] or artists[1] & artists[2])


def test_untagged_tracks_are_their_own_group():
    data = [
        LabeledTrack(Path(f"/d/{i}.mp3"), ("metal", "hardcore")[i % 2], None, None)
        for i in range(40)
    ]
    split = split_tracks(data, seed=0)
    assert len(split.train) + len(split.val) + len(split.test) == 40
    assert split.test and split.val
