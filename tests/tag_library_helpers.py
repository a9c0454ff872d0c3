"""Small tagged mp3s and library rows for the tag-writer, undo and tagging-CLI tests.

One tiny mp3 is encoded with PyAV per session and copied; tags are set with mutagen. Library rows
are inserted with the ORM (no classifier run): a track, optionally a current prediction from a
fake model and a user decision.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from audio_factory import tone, write_audio
from mutagen.id3 import ID3, TCON, TIT2

from tagger.library.schema import Label, LabelSource, ModelRecord, Prediction, Track, TrackStatus
from tagger.library.store import Library
from tagger.tags import read_genres

_TEMPLATES: dict[str, Path] = {}


def mp3_template(folder: Path) -> Path:
    """A tiny real mp3 (0.5 s, 22.05 kHz mono), encoded once per process."""
    key = "mp3"
    if key not in _TEMPLATES or not _TEMPLATES[key].exists():
        folder.mkdir(parents=True, exist_ok=True)
        _TEMPLATES[key] = write_audio(
            folder / "template.mp3", tone(0.5, rate=22_050, channels=1), rate=22_050
        )
    return _TEMPLATES[key]


def make_mp3(
    template: Path, dest: Path, genres: list[str] | None, *, v2_version: int = 4, title: str = ""
) -> Path:
    """Copy the template to `dest` with an ID3 tag holding `genres` (None: no genre frame)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, dest)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title or dest.stem]))
    if genres is not None:
        if v2_version == 4:
            tags.add(TCON(encoding=3, text=list(genres)))
        else:
            tags.add(TCON(encoding=1, text=["; ".join(genres)]))
    tags.save(str(dest), v2_version=v2_version)
    return dest


def fake_model(library: Library, name: str = "tiny-model") -> int:
    with library.session() as s, s.begin():
        m = ModelRecord(
            name=name,
            path="/models/tiny.safetensors",
            sha256="ab" * 32,
            classes=["hardcore", "metal"],
        )
        s.add(m)
        s.flush()
        return m.id


def add_track(
    library: Library,
    path: Path,
    *,
    model_id: int | None = None,
    predicted: str | None = None,
    confidence: float = 0.95,
    user_label: str | None = None,
    status: str = TrackStatus.OK,
    disagreement: float = 0.0,
    follow_link: bool = True,
) -> int:
    """A library row for `path` as a scan would leave it (size, mtime, genres from the file).

    `follow_link=False` stores a link's own path, as a scan that walks into linked files does.
    """
    st = os.stat(path)
    with library.session() as s, s.begin():
        t = Track(
            path=os.path.realpath(path) if follow_link else os.path.abspath(path),
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
            genres=read_genres(path) if path.exists() else [],
            status=status,
            format="mp3",
        )
        s.add(t)
        s.flush()
        if predicted is not None:
            assert model_id is not None
            other = 1.0 - confidence
            s.add(
                Prediction(
                    track_id=t.id,
                    model_id=model_id,
                    label=predicted,
                    confidence=confidence,
                    probabilities={predicted: confidence, "other": other},
                    windows=[],
                    disagreement=disagreement,
                    is_current=True,
                )
            )
        if user_label is not None:
            s.add(Label(track_id=t.id, label=user_label, source=LabelSource.USER_REVIEW))
            t.user_label = user_label
        return t.id
