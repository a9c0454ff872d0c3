"""A model file's ONNX form: found next to it, in the user cache, or exported once.

The model file stays safetensors + JSON (the training format). Its ONNX form carries the
safetensors file's sha256 in its metadata, so a stale or foreign ONNX file is never used for a
model: it is looked for

1. next to the model file (`name.onnx`, written by `tagger train` and shipped with the bundled
   model, so a user without torch can classify with it);
2. in the user cache folder, as `onnx/<sha256>.onnx`;
3. else exported there now, which needs torch and onnx (the `train` extra).

The export uses torch's TorchScript-based exporter (`dynamo=False`). Both exporters give
probabilities within 1.2e-7 of torch for all three architectures on torch 2.13 (with
onnxscript 0.7.2 for the dynamo one; its 0.6.2–0.7.0 wrote GRUs with linear_before_reset=0,
silently wrong), but the TorchScript one exports in ~3 s instead of 20–90 s on 2 cores and needs
no onnxscript. tests/model/test_onnx_parity.py holds the parity to 1e-4 for each architecture.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import platformdirs

from tagger.model.checkpoint import ModelFile, ModelFileError, ModelInfo

# The user cache folder's name: the same as the library's data folder (library/store.py
# APP_NAME), written here because model/ sits below library/ and cannot import it.
CACHE_NAME = "metal-hardcore-tagger"
SHA_KEY = "source_sha256"
OPSET = 17


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(CACHE_NAME)) / "onnx"


def beside(model_path: Path) -> Path:
    """Where `tagger train` writes, and the repo ships, a model file's ONNX form."""
    return model_path.with_suffix(".onnx")


def cached(sha256: str) -> Path:
    return cache_dir() / f"{sha256}.onnx"


def source_sha256(onnx_path: Path) -> str | None:
    """The sha256 of the model file an ONNX form was exported from (None if unreadable)."""
    import onnxruntime as ort

    try:
        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
    except Exception:  # onnxruntime raises its own exception types for a bad file
        return None
    return session.get_modelmeta().custom_metadata_map.get(SHA_KEY)


def find_onnx_form(model: ModelInfo) -> Path | None:
    """An existing ONNX form of exactly this model file, if there is one."""
    for candidate in (beside(model.path), cached(model.sha256)):
        if candidate.is_file() and source_sha256(candidate) == model.sha256:
            return candidate
    return None


def onnx_form(model: ModelInfo) -> Path:
    """The ONNX form of `model`, exporting it into the cache the first time."""
    found = find_onnx_form(model)
    if found is not None:
        return found
    try:
        from tagger.model.checkpoint import load_model

        loaded = load_model(model.path)
    except ImportError:
        raise ModelFileError(
            model.path,
            "has no ONNX form yet, and exporting one needs torch: install "
            "metal-hardcore-tagger[train], or copy the .onnx file that `tagger train` wrote "
            "next to it",
        ) from None
    try:
        return export_onnx(loaded, cached(model.sha256))
    except OSError as exc:
        raise ModelFileError(
            model.path, f"its ONNX form cannot be written to {cache_dir()} ({exc.strerror})"
        ) from None
    except Exception as exc:  # the exporter's own errors, for a network it cannot translate
        raise ModelFileError(
            model.path,
            f"cannot be exported to ONNX ({type(exc).__name__}: {exc}); "
            "TAGGER_RUNTIME=torch runs it on torch",
        ) from None


def export_onnx(model: ModelFile, path: Path) -> Path:
    """Write the network, ending in the softmax, as ONNX with a variable number of windows."""
    import onnx
    import torch

    class Probabilities(torch.nn.Module):
        def __init__(self, network: torch.nn.Module) -> None:
            super().__init__()
            self.network = network

        def forward(self, mel: torch.Tensor) -> torch.Tensor:
            return torch.softmax(self.network(mel), dim=1)

    c = model.frontend
    example = torch.zeros(2, 2, c.n_mels, c.n_frames)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with warnings.catch_warnings():
            # The tracer's notes on the RNNs' shape checks and on batch sizes other than 1: the
            # parity test runs 1, 60 and several tracks' windows through every architecture.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Probabilities(model.network.eval()),
                (example,),
                str(tmp),
                input_names=["mel"],
                output_names=["probabilities"],
                dynamic_axes={"mel": {0: "windows"}, "probabilities": {0: "windows"}},
                opset_version=OPSET,
                dynamo=False,
            )
        proto = onnx.load(str(tmp))
        onnx.helper.set_model_props(
            proto, {SHA_KEY: model.sha256, "classes": ",".join(model.classes)}
        )
        onnx.save(proto, str(tmp))
        tmp.replace(path)  # a half-written file never takes the real name
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_beside(model_path: str | Path) -> Path:
    """Export the ONNX form next to a model file (what `tagger train` and the repo ship)."""
    from tagger.model.checkpoint import load_model

    model = load_model(model_path)
    return export_onnx(model, beside(model.path))


if __name__ == "__main__":  # python -m tagger.model.onnx_form MODEL.safetensors ...
    import sys

    for argument in sys.argv[1:] or ["models/cnn-bigru-demo.safetensors"]:
        print(write_beside(argument))
