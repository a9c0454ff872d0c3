"""Where a model's ONNX form comes from: beside it, the cache, or a fresh export."""

import shutil
import sys
from pathlib import Path

import pytest

from tagger.model.checkpoint import BUNDLED_MODEL, ModelFileError, file_sha256, read_model_info
from tagger.model.onnx_form import beside, cached, find_onnx_form, onnx_form, source_sha256
from tagger.model.predictor import Predictor
from tagger.model.runtime import RuntimeChoiceError, runtime_choice

# This checkout's models/ folder (the installed package may point at another checkout).
BUNDLED = Path(__file__).resolve().parents[2] / "models" / BUNDLED_MODEL


def test_bundled_onnx_form_is_exported_from_the_bundled_model_file():
    """models/*.onnx must be regenerated whenever the safetensors file changes:
    python -m tagger.model.onnx_form models/cnn-bigru-demo.safetensors"""
    model = BUNDLED
    assert beside(model).is_file()
    assert source_sha256(beside(model)) == file_sha256(model)
    assert find_onnx_form(read_model_info(model)) == beside(model)


def test_export_goes_to_the_cache_once_and_is_reused(tmp_path, random_model):
    model = shutil.copy(random_model, tmp_path / "m.safetensors")
    info = read_model_info(model)
    first = onnx_form(info)
    assert first == cached(info.sha256) and source_sha256(first) == info.sha256
    stamp = first.stat().st_mtime_ns
    assert onnx_form(info) == first and first.stat().st_mtime_ns == stamp


def test_an_onnx_file_of_another_model_beside_it_is_not_used(tmp_path, random_model):
    model = shutil.copy(random_model, tmp_path / "m.safetensors")
    shutil.copy(beside(BUNDLED), beside(model))  # stale: another model's export
    info = read_model_info(model)
    assert onnx_form(info) == cached(info.sha256)


def test_without_torch_a_model_with_no_onnx_form_is_refused_with_a_reason(
    tmp_path, random_model, monkeypatch
):
    model = shutil.copy(random_model, tmp_path / "m.safetensors")
    info = read_model_info(model)
    cached(info.sha256).unlink(missing_ok=True)
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails
    monkeypatch.delitem(sys.modules, "tagger.model.network", raising=False)
    with pytest.raises(ModelFileError, match=r"needs torch.*\[train\]"):
        onnx_form(info)


def test_bundled_model_classifies_on_onnx_runtime_without_exporting(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    predictor = Predictor.load(BUNDLED)
    assert predictor.runtime == "onnx" and predictor.classes == ("hardcore", "metal")


def test_runtime_choice_follows_the_environment(monkeypatch):
    monkeypatch.delenv("TAGGER_RUNTIME", raising=False)
    assert runtime_choice() == "onnx"
    monkeypatch.setenv("TAGGER_RUNTIME", "torch")
    assert runtime_choice() == "torch" and runtime_choice("onnx") == "onnx"
    monkeypatch.setenv("TAGGER_RUNTIME", "tensorflow")
    with pytest.raises(RuntimeChoiceError, match="TAGGER_RUNTIME"):
        runtime_choice()


def test_an_unwritable_cache_is_a_model_error_not_a_crash(tmp_path, random_model, monkeypatch):
    model = shutil.copy(random_model, tmp_path / "m.safetensors")
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache folder cannot be made
    with pytest.raises(ModelFileError, match="cannot be written"):
        onnx_form(read_model_info(model))
