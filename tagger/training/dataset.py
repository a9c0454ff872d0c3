"""A labeled data folder: one sub-folder per class, audio files anywhere below it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tagger.audio.formats import AUDIO_EXTENSIONS
from tagger.tags import TagError, read_tags


@dataclass(frozen=True)
class LabeledTrack:
    path: Path
    label: str
    artist: str | None
    year: int | None
    album: str | None = None
    source: str = "folder"  # where the label came from: folder, decision or tag
    fingerprint: str | None = None  # the file's content fingerprint, when the library knows it

    @property
    def group_keys(self) -> tuple[str, ...]:
        """What must not straddle splits: its artist and its album (else the track itself).

        Tracks sharing any key stay on one side (split.py joins them), so neither an artist nor
        an album, compilations included, is ever on both sides.
        """
        keys = []
        if self.artist:
            keys.append(f"artist:{self.artist.casefold()}")
        if self.album:
            keys.append(f"album:{self.album.casefold()}")
        return tuple(keys) or (f"track:{self.path}",)


def discover(data_dir: str | Path) -> tuple[list[str], list[LabeledTrack]]:
    """Classes (sorted sub-folder names) and their tracks, with artist and year from the tags."""
    root = Path(data_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    class_dirs = sorted(
        d for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
    )
    tracks: list[LabeledTrack] = []
    classes: list[str] = []
    for class_dir in class_dirs:
        files = sorted(
            p
            for p in class_dir.rglob("*")
            if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS and not p.name.startswith(".")
        )
        if not files:
            continue
        classes.append(class_dir.name)
        for path in files:
            artist, year = _artist_and_year(path)
            tracks.append(LabeledTrack(path=path, label=class_dir.name, artist=artist, year=year))
    if len(classes) < 2:
        raise ValueError(
            f"{root} needs at least two class sub-folders with audio files "
            f"(e.g. {root}/metal and {root}/hardcore); found {classes or 'none'}"
        )
    return classes, tracks


def _artist_and_year(path: Path) -> tuple[str | None, int | None]:
    """Through the same tag handlers the library uses, so both agree on what a file says."""
    try:
        tags = read_tags(path)
    except TagError:
        return None, None  # the training loop reports unreadable files itself
    return tags.artist, tags.year
