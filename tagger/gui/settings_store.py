"""Where the GUI keeps what it remembers: the library `Settings` file and QSettings.

The `Settings` JSON file is the one the engine (and the CLI) reads, so it stays the source of
truth; a copy goes into QSettings too, which restores it if the file is gone. QSettings also
keeps the window's geometry and splitter state. Tests pass a QSettings on an ini file.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QSettings

from tagger.library.settings import Settings, SettingsError, default_settings_path
from tagger.service.context import load_settings
from tagger.service.errors import ServiceError

log = logging.getLogger(__name__)

ORGANIZATION = "metal-hardcore-tagger"
APPLICATION = "Metal & Hardcore Tagger"
SETTINGS_KEY = "library/settings"


def default_qsettings() -> QSettings:
    return QSettings(ORGANIZATION, "tagger")


class SettingsStore:
    def __init__(self, qsettings: QSettings, settings_path: Path | None = None) -> None:
        self.qsettings = qsettings
        self.path = settings_path  # None: the library's default (honours $TAGGER_SETTINGS)

    def load(self) -> tuple[Settings, str | None]:
        """The settings, and a problem to show (the file was unreadable) or None."""
        try:
            settings = load_settings(self.path)
        except ServiceError as exc:
            log.warning("%s", exc)
            return self._from_qsettings() or Settings(), str(exc)
        file = self.path or default_settings_path()
        if not Path(file).exists() and (mirror := self._from_qsettings()) is not None:
            return mirror, None
        return settings, None

    def _from_qsettings(self) -> Settings | None:
        raw = self.qsettings.value(SETTINGS_KEY)
        if not raw:
            return None
        try:
            return Settings.from_dict(json.loads(str(raw)))
        except (ValueError, TypeError, SettingsError):
            return None

    def save(self, settings: Settings) -> Path:
        path = settings.save(self.path)
        self.qsettings.setValue(SETTINGS_KEY, json.dumps(settings.to_dict()))
        self.qsettings.sync()
        return path
