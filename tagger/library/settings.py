"""User settings shared by the CLI and the GUI, kept as JSON in the user config folder.

The GUI may mirror them into QSettings; this file stays the one the engine reads. Unknown keys in
the file are ignored and missing keys take their defaults, so old and new versions share a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from tagger import APP_NAME
from tagger.library.genre_map import GenreMap, GenreMapError

SETTINGS_ENV = "TAGGER_SETTINGS"


def default_settings_path() -> Path:
    env = os.environ.get(SETTINGS_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "settings.json"


class SettingsError(Exception):
    pass


@dataclass
class Settings:
    # A track goes to review below this confidence ...
    threshold: float = 0.8
    # ... or when at least this share of its windows vote against the track's label.
    disagreement: float = 0.25
    # Ordered [{"genre": term, "class": target}] rules (see genre_map.py); None: the defaults,
    # so that a user who never edited the map gets a newer version's better defaults.
    genre_map: list[dict[str, str]] | None = None
    # The genre string written into the files for each class.
    genre_strings: dict[str, str] = field(
        default_factory=lambda: {"metal": "Metal", "hardcore": "Hardcore"}
    )
    id3_separator: str = "; "
    model_path: str | None = None  # None: the bundled model
    workers: int | None = None  # None: one per core, see pipeline.default_workers()
    decode_timeout: float = 120.0  # seconds before a decoding worker is abandoned
    library_folders: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Settings:
        path = Path(path) if path is not None else default_settings_path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SettingsError(f"cannot read the settings file {path}: {exc}") from None
        if not isinstance(raw, dict):
            raise SettingsError(f"the settings file {path} does not hold a JSON object")
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in raw.items() if k in known})
        settings.validate()
        return settings

    def validate(self) -> None:
        if not 0.0 <= float(self.threshold) <= 1.0:
            raise SettingsError(f"threshold must be between 0 and 1, not {self.threshold}")
        if not 0.0 < float(self.disagreement) <= 1.0:
            raise SettingsError(f"disagreement must be in (0, 1], not {self.disagreement}")
        if self.workers is not None and int(self.workers) < 1:
            raise SettingsError(f"workers must be at least 1, not {self.workers}")
        if float(self.decode_timeout) <= 0:
            raise SettingsError("decode_timeout must be positive")
        try:
            self.genre_map_rules()
        except GenreMapError as exc:
            raise SettingsError(f"genre_map: {exc}") from None

    def genre_map_rules(self) -> GenreMap:
        return GenreMap.from_settings(self.genre_map)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically: a crash leaves the old file or the new one, never half of one."""
        self.validate()
        path = Path(path) if path is not None else default_settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        return path
