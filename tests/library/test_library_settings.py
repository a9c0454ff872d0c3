from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagger.library.settings import Settings, SettingsError, default_settings_path


def test_missing_file_gives_defaults_and_save_load_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.json"
    assert Settings.load(path) == Settings()
    s = Settings(threshold=0.7, workers=3, library_folders=["/music"], model_path="/m.safetensors")
    s.genre_strings["metal"] = "Heavy Metal"
    s.save(path)
    assert Settings.load(path) == s


def test_env_points_at_the_file(tmp_path: Path) -> None:
    # the autouse fixture sets TAGGER_SETTINGS
    assert default_settings_path() == tmp_path / "settings.json"
    Settings(threshold=0.6).save()
    assert Settings.load().threshold == 0.6


def test_unknown_keys_are_ignored_and_bad_values_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"threshold": 0.9, "from_the_future": 1}))
    assert Settings.load(path).threshold == 0.9
    path.write_text(json.dumps({"threshold": 3}))
    with pytest.raises(SettingsError):
        Settings.load(path)
    path.write_text("{not json")
    with pytest.raises(SettingsError):
        Settings.load(path)
