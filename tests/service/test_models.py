"""service/models.py: which model file a job uses, loading it, and the classes a decision names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tagger.library.records import register_model
from tagger.library.settings import Settings
from tagger.library.store import Library
from tagger.model.checkpoint import default_model_path
from tagger.service.errors import ServiceError
from tagger.service.models import ModelUnavailable, known_classes, load_predictor, model_path


def test_an_explicit_choice_beats_the_settings_which_beat_the_bundled_model() -> None:
    assert model_path(Settings()) == default_model_path()
    assert model_path(Settings(model_path="/m/settings.safetensors")) == Path(
        "/m/settings.safetensors"
    )
    chosen = model_path(Settings(model_path="/m/settings.safetensors"), "/m/cli.safetensors")
    assert chosen == Path("/m/cli.safetensors")


def test_load_predictor_uses_the_settings_model(random_model: Path, tmp_path: Path) -> None:
    renamed = Path(shutil.copyfile(random_model, tmp_path / "mine.safetensors"))
    assert load_predictor(Settings(model_path=str(renamed))).name == "mine"
    assert load_predictor(Settings(model_path=str(renamed)), random_model).name == "random"


@pytest.mark.parametrize("content", [None, b"not a model"])
def test_an_unusable_model_is_one_message(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "bad.safetensors"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelUnavailable, match=r"^cannot load the model: .*bad\.safetensors\)$"):
        load_predictor(Settings(model_path=str(path)))


def test_known_classes_from_the_model_else_from_the_models_used(
    random_model: Path, tmp_path: Path
) -> None:
    library = Library.open(tmp_path / "lib.db")
    missing = str(tmp_path / "gone.safetensors")
    try:
        with library.session() as session:
            assert known_classes(session, Settings(model_path=str(random_model))) == [
                "hardcore",
                "metal",
            ]
            with pytest.raises(ServiceError, match="no model found"):
                known_classes(session, Settings(model_path=missing))
            with pytest.raises(ModelUnavailable, match="cannot read the model"):
                known_classes(session, Settings(), missing)  # an explicit choice must work
        with library.session() as session, session.begin():
            register_model(session, load_predictor(Settings(model_path=str(random_model))))
        with library.session() as session:
            assert known_classes(session, Settings(model_path=missing)) == ["hardcore", "metal"]
    finally:
        library.close()
