from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tagger.audio.mel import FrontEndConfig
from tagger.training.feature_cache import FeatureCache, default_cache_dir


def _arrays(seed: int, kb: int = 64) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "mel": rng.standard_normal(kb * 256).astype(np.float32),
        "lengths": np.arange(3, dtype=np.int64),
    }


def test_round_trip_and_key_depends_on_fingerprint_and_front_end(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path)
    config = FrontEndConfig().to_dict()
    key = cache.key("abc", config)
    assert cache.get(key) is None
    stored = _arrays(0)
    cache.put(key, stored)
    got = cache.get(key)
    assert got is not None and set(got) == {"mel", "lengths"}
    np.testing.assert_array_equal(got["mel"], stored["mel"])
    assert cache.key("abc", config) == key
    assert cache.key("abd", config) != key
    assert cache.key("abc", {**config, "n_mels": 128}) != key


@pytest.mark.parametrize("damage", [b"", b"not a zip file", None])
def test_a_corrupted_entry_is_a_miss_and_is_removed(tmp_path: Path, damage: bytes | None) -> None:
    cache = FeatureCache(tmp_path)
    key = cache.key("abc", {})
    cache.put(key, _arrays(0))
    file = tmp_path / f"{key}.npz"
    data = file.read_bytes()
    file.write_bytes(damage if damage is not None else data[: len(data) // 2])
    assert cache.get(key) is None
    assert not file.exists()
    cache.put(key, _arrays(1))  # recomputed and stored again
    assert cache.get(key) is not None


def test_least_recently_used_entries_go_first_when_over_the_limit(tmp_path: Path) -> None:
    entry_bytes = 64 * 1024
    cache = FeatureCache(tmp_path, max_bytes=int(3.5 * entry_bytes))
    keys = [cache.key(str(i), {}) for i in range(4)]
    for i, key in enumerate(keys[:3]):
        cache.put(key, _arrays(i))
        os.utime(tmp_path / f"{key}.npz", ns=(i * 10**9, i * 10**9))
    assert cache.get(keys[0]) is not None  # a hit makes the oldest the newest
    cache.put(keys[3], _arrays(3))
    cache.trim()
    assert cache.stats().bytes <= cache.max_bytes
    assert cache.get(keys[1]) is None  # the least recently used one was removed
    assert all(cache.get(k) is not None for k in (keys[0], keys[2], keys[3]))


def test_safe_to_delete_and_an_unwritable_folder_is_not_an_error(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path / "cache")
    key = cache.key("abc", {})
    cache.put(key, _arrays(0))
    (tmp_path / "cache" / ".leftover.part").write_bytes(b"half")
    assert cache.clear() > 0
    assert cache.stats().entries == 0 and not list((tmp_path / "cache").iterdir())
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    FeatureCache(blocked / "sub").put(key, _arrays(0))  # nothing stored, nothing raised
    assert FeatureCache(blocked / "sub").get(key) is None


def test_default_folder_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TAGGER_FEATURE_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("TAGGER_FEATURE_CACHE")
    assert default_cache_dir().name == "features"
