"""Training reads a track's artist and year through the tag handlers the library uses."""

from __future__ import annotations

import shutil
from pathlib import Path

from audio_factory import tone, write_audio
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TDRC, TPE1

from tagger.training.dataset import discover


def test_discover_takes_artist_and_year_from_the_tags(tmp_path: Path) -> None:
    mp3 = write_audio(tmp_path / "t.mp3", tone(0.3))
    flac = write_audio(tmp_path / "t.flac", tone(0.3))
    metal = tmp_path / "data" / "metal"
    hardcore = tmp_path / "data" / "hardcore"
    metal.mkdir(parents=True)
    hardcore.mkdir()
    a = Path(shutil.copyfile(mp3, metal / "a.mp3"))
    tags = ID3()
    tags.add(TPE1(encoding=3, text="Slayer"))
    tags.add(TDRC(encoding=3, text="1986-10-07"))
    tags.save(str(a))
    b = Path(shutil.copyfile(flac, hardcore / "b.flac"))
    f = FLAC(str(b))
    f["ARTIST"] = "Converge"
    f["DATE"] = "(P) 2001 Equal Vision"
    f.save()
    shutil.copyfile(mp3, hardcore / "untagged.mp3")

    classes, tracks = discover(tmp_path / "data")

    assert classes == ["hardcore", "metal"]
    found = {t.path.name: (t.label, t.artist, t.year) for t in tracks}
    assert found == {
        "a.mp3": ("metal", "Slayer", 1986),
        "b.flac": ("hardcore", "Converge", 2001),
        "untagged.mp3": ("hardcore", None, None),
    }
