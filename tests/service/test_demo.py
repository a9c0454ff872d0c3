"""service/demo.py: the demo library a fresh clone opens (`tagger gui --demo`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tagger.audio.mel import FrontEndConfig
from tagger.library.progress import Progress
from tagger.library.queries import SmartList, TrackFilter
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.model.checkpoint import save_model
from tagger.model.network import Network, NetworkConfig
from tagger.service.demo import demo_home, describe_demo, prepare_demo_library
from tagger.service.library_client import LibraryClient

SMALL = {"tracks": 2, "seconds": (3.0, 4.0), "workers": 1}


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    torch.manual_seed(3)
    path = tmp_path_factory.mktemp("demo-model") / "tiny.safetensors"
    return str(save_model(path, Network(NetworkConfig()), ["hardcore", "metal"], FrontEndConfig()))


def test_the_demo_is_rendered_scanned_classified_then_reused(tmp_path: Path, model: str) -> None:
    reports: list[tuple[str, int]] = []

    def progress(p: Progress) -> None:
        reports.append((p.phase, p.done))

    demo = prepare_demo_library(Settings(), home=tmp_path, model=model, progress=progress, **SMALL)
    assert (demo.rendered, demo.classified, demo.cancelled) == (2, 2, False)
    assert demo.db == tmp_path / "demo.db" and demo.folder == tmp_path / "music"
    phases = [phase for phase, _ in reports]
    assert phases[0] == "render" and {"render", "read", "classify"} <= set(phases)
    # each bar appears before its first file is done (not after the worker pool has started)
    assert reports[0] == ("render", 0) and reports[phases.index("classify")] == ("classify", 0)
    with Library.open(demo.db) as library:
        rows = LibraryClient(library, Settings()).list_rows(TrackFilter(SmartList.ALL))
    assert len(rows) == 2
    assert {r.decided_by for r in rows} == {"model"}
    assert all(Path(r.path).is_relative_to(demo.folder) for r in rows)
    assert "rendered 2 demo tracks" in describe_demo(demo)

    again = prepare_demo_library(Settings(), home=tmp_path, model=model, **SMALL)
    assert (again.rendered, again.classified, again.cancelled) == (0, 0, False)
    assert "reused" in describe_demo(again)


def test_a_cancelled_demo_leaves_no_library_and_is_rendered_next_time(
    tmp_path: Path, model: str
) -> None:
    demo = prepare_demo_library(
        Settings(), home=tmp_path, model=model, cancel=lambda: True, **SMALL
    )
    assert demo.cancelled and demo.rendered == 0
    assert not demo.db.exists() and not (demo.folder / "corpus.json").exists()
    assert "again" in describe_demo(demo)


def test_the_demo_lives_in_the_user_data_folder_not_beside_the_repository() -> None:
    home = demo_home()
    assert "shared" not in home.parts
    assert home.name == "demo" and home.parent.name.startswith("metal-hardcore-tagger")
