from __future__ import annotations

from pathlib import Path

import pytest
import torch
from sqlalchemy import event, select

from tagger.audio.mel import FrontEndConfig
from tagger.library.model_registry import list_models, register_model_file, resolve_model
from tagger.library.schema import ModelRecord
from tagger.library.store import Library
from tagger.model.checkpoint import ModelFileError, save_model
from tagger.model.network import Network, NetworkConfig


def _model(path: Path, seed: int, classes: list[str], held_out: float | None) -> Path:
    torch.manual_seed(seed)
    training = {"labels": {c: {"tag": 10 + i, "decision": 2} for i, c in enumerate(classes)}}
    metrics: dict = {"validation": {"track_accuracy": 0.9}}
    if held_out is not None:
        metrics["test"] = {"track_level": {"accuracy": held_out}}
    network = Network(NetworkConfig(n_classes=len(classes)))
    return save_model(path, network, classes, FrontEndConfig(), training, metrics)


def test_register_list_and_resolve(library: Library, tmp_path: Path) -> None:
    two = _model(tmp_path / "two.safetensors", 0, ["hardcore", "metal"], 0.91)
    three = _model(tmp_path / "three.safetensors", 1, ["hardcore", "metal", "other"], None)
    with library.session() as s, s.begin():
        first = register_model_file(s, two)
        assert register_model_file(s, two).id == first.id  # by content hash, once
        register_model_file(s, three)
    with library.session() as s:
        models = {m.name: m for m in list_models(s, active_path=three)}
        assert set(models) == {"two", "three"}
        assert models["three"].active and not models["two"].active
        assert models["three"].classes == ["hardcore", "metal", "other"]
        assert models["two"].labels_used == 10 + 2 + 11 + 2
        assert models["two"].held_out_accuracy == pytest.approx(0.91)
        assert models["three"].held_out_accuracy is None
        assert models["two"].validation_accuracy == pytest.approx(0.9)
        assert resolve_model(s, "TWO") == two.resolve()
        assert resolve_model(s, str(three)) == three.resolve()
        with pytest.raises(ModelFileError, match="neither"):
            resolve_model(s, "nope")
        junk = tmp_path / "junk.safetensors"
        junk.write_bytes(b"not a model")
        with pytest.raises(ModelFileError):
            resolve_model(s, str(junk))
        two.unlink()
        with pytest.raises(ModelFileError, match="no longer there"):
            resolve_model(s, "two")


@pytest.mark.both_backends
def test_a_model_registered_by_another_process_meanwhile_is_found_not_inserted_twice(
    library: Library, tmp_path: Path
) -> None:
    """Two scans starting at once with a new model: each looks for the model's row, finds none
    and inserts it. Here the other process's row is committed right after this one's look."""
    model = _model(tmp_path / "new.safetensors", 0, ["hardcore", "metal"], None)
    raced = []

    def other_process_registers(conn, cursor, statement, *_args) -> None:  # noqa: ANN001
        if raced or "FROM models" not in statement:
            return
        raced.append(statement)
        with library.session() as other, other.begin():
            register_model_file(other, model)

    event.listen(library.engine, "after_cursor_execute", other_process_registers)
    try:
        with library.session() as s, s.begin():
            row = register_model_file(s, model)
            assert row.name == "new" and row.classes == ["hardcore", "metal"]
    finally:
        event.remove(library.engine, "after_cursor_execute", other_process_registers)
    assert raced, "the other registration never ran between the look and the insert"
    with library.session() as s:
        assert s.scalars(select(ModelRecord.id)).all() == [row.id]
