"""The Ray engine on one machine: PostgreSQL + a local Ray with two workers give the same
predictions as the local engine on SQLite, and the local Ray listens on loopback only."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from library_helpers import MakeLibrary
from sqlalchemy import func, select

from tagger.library.pipeline import run_classification, select_for_classification
from tagger.library.progress import Progress
from tagger.library.records import register_model
from tagger.library.scanner import scan
from tagger.library.schema import Prediction, Track
from tagger.library.store import Library
from tagger.model.predictor import Predictor

if importlib.util.find_spec("ray") is None:
    pytest.skip("ray is not installed (the [cluster] extra)", allow_module_level=True)
pytestmark = pytest.mark.slow


def classify(library: Library, predictor: Predictor, root: Path, **engine) -> None:
    scan(library, [root])
    with library.session() as s, s.begin():
        model_id = register_model(s, predictor).id
    ids = select_for_classification(library, model_id)
    if engine:
        from tagger.library.ray_engine import run_classification_ray

        result = run_classification_ray(library, predictor, ids, **engine)
    else:
        result = run_classification(library, predictor, ids, workers=1)
    assert (result.classified + result.failed, result.cancelled) == (len(ids), False)


def predictions(library: Library) -> dict[str, tuple[str, dict[str, float], int]]:
    with library.session() as s:
        rows = s.execute(select(Track.path, Prediction).join(Prediction.track)).all()
        assert s.scalar(select(func.count(Prediction.id))) == len(rows)
        return {path: (p.label, p.probabilities, len(p.windows)) for path, p in rows}


def ray_listeners() -> list[str]:
    """Local addresses of listening TCP sockets owned by Ray's processes."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    names = ("gcs_server", "raylet", "ray::", "ray_", "dashboard")
    return [line.split()[3] for line in out.splitlines() if any(n in line for n in names)]


def test_ray_on_postgresql_matches_the_local_engine_on_sqlite(
    postgres_cluster, tiny_model: Path, make_music: MakeLibrary, tmp_path: Path
) -> None:
    from tagger.library.ray_engine import run_classification_ray, start_ray

    root = tmp_path / "music"
    make_music(8, root)
    (root / "broken.mp3").write_bytes(b"ID3" + bytes(200))
    predictor = Predictor.load(tiny_model)

    with Library.open(tmp_path / "local.db") as local:
        classify(local, predictor, root)
        expected = predictions(local)

    # Started here (as the engine starts it) so that two runs share it: a run the engine
    # starts Ray for also shuts it down.
    ray = start_ray(None, workers=2)
    try:
        listeners = ray_listeners() if shutil.which("ss") else []
        url = postgres_cluster.url(postgres_cluster.new_database())
        with Library.open(url) as shared:
            scan(shared, [root])
            with shared.session() as s, s.begin():
                model_id = register_model(s, predictor).id
            ids = select_for_classification(shared, model_id)
            assert len(ids) == 8  # broken.mp3 failed at the scan
            stop = threading.Event()
            first = run_classification_ray(
                shared, predictor, ids, workers=2, cancel=stop, progress=lambda _p: stop.set()
            )
            assert first.cancelled and 1 <= first.classified < 8
            with shared.session() as s:  # the cancelled run gave back what it held
                assert s.scalar(select(func.count()).where(Track.claimed_by.is_not(None))) == 0
            reports: list[Progress] = []
            rest = select_for_classification(shared, model_id)
            second = run_classification_ray(
                shared, predictor, rest, workers=2, progress=reports.append
            )
            assert (second.classified, second.cancelled) == (8 - first.classified, False)
            assert [r.done for r in reports] == list(range(1, len(rest) + 1))
            got = predictions(shared)
    finally:
        ray.shutdown()

    assert set(got) == set(expected) and len(got) == 8
    for path, (label, probabilities, windows) in expected.items():
        assert got[path][0] == label and got[path][2] == windows
        for cls, p in probabilities.items():
            assert got[path][1][cls] == pytest.approx(p, abs=1e-4)
    if shutil.which("ss"):
        assert listeners, "no Ray server found listening"
        bad = [a for a in listeners if not a.startswith(("127.0.0.1:", "[::ffff:127.0.0.1]:"))]
        assert not bad, f"the local Ray listens beyond loopback: {bad}"


def test_a_worker_keeps_one_copy_of_each_model_in_the_cache(tmp_path, monkeypatch) -> None:
    """Each Ray actor wrote the model into a temporary folder of its own that nothing removed
    (11 MB an actor, every run); now one copy per content in the user cache folder."""
    import tagger.library.ray_engine as engine

    monkeypatch.setattr(engine, "cache_dir", lambda: tmp_path / "cache" / "onnx")
    first = engine.model_copy(b"weights", "mine.safetensors", b"graph")
    again = engine.model_copy(b"weights", "mine.safetensors", b"graph")
    other = engine.model_copy(b"other weights", "mine.safetensors")
    assert first == again != other
    assert first.read_bytes() == b"weights"
    assert first.with_suffix(".onnx").read_bytes() == b"graph"
    assert not other.with_suffix(".onnx").exists()
    copies = sorted(p.name for p in (tmp_path / "cache" / "ray-models").rglob("*"))
    assert copies == sorted(
        [first.parent.name, other.parent.name, "mine.onnx", "mine.safetensors", "mine.safetensors"]
    )  # two folders, no temporary file left
