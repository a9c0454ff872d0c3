"""Model files: safetensors weights with our JSON metadata inside the same file.

Loading never unpickles: safetensors holds only tensors and a string→string metadata map. A file
whose metadata is missing, of another format version, or does not fit its weights is refused
with a ModelFileError that says why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from tagger.audio.mel import FrontEndConfig
from tagger.model.network import Network, NetworkConfig

FORMAT = "metal-hardcore-tagger/model"
FORMAT_VERSION = 1
METADATA_KEY = "tagger"
BUNDLED_MODEL = "cnn-bigru-demo.safetensors"


class ModelFileError(Exception):
    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


@dataclass
class ModelFile:
    """A loaded model: the network in eval mode and everything its metadata says."""

    path: Path
    network: Network
    classes: tuple[str, ...]
    frontend: FrontEndConfig
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    @property
    def name(self) -> str:
        return self.path.stem


def default_model_path() -> Path:
    """The bundled demo model, shipped inside the installed package (models/ in the repo)."""
    return Path(str(resources.files("tagger.bundled_models") / BUNDLED_MODEL))


def resolve_model_path(*choices: str | Path | None) -> Path:
    """The first model file chosen (e.g. a --model option, then the settings), else the bundled
    one. The one place that says which model file a command uses."""
    for chosen in choices:
        if chosen:
            return Path(chosen)
    return default_model_path()


def save_model(
    path: str | Path,
    network: Network,
    classes: list[str] | tuple[str, ...],
    frontend: FrontEndConfig,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    path = Path(path)
    if len(classes) != network.config.n_classes:
        raise ValueError("class names do not match the network's outputs")
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "classes": list(classes),
        "architecture": network.config.to_dict(),
        "frontend": frontend.to_dict(),
        "training": training or {},
        "metrics": metrics or {},
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    save_file(tensors, str(tmp), metadata={METADATA_KEY: json.dumps(meta)})
    tmp.replace(path)  # a half-written model never takes the real name
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(path, "no such model file")
    try:
        with safe_open(str(path), framework="pt") as f:
            raw = (f.metadata() or {}).get(METADATA_KEY)
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(path, f"not a safetensors model file ({exc})") from None
    if raw is None:
        raise ModelFileError(path, "has no tagger metadata; it was not written by `tagger train`")
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError:
        raise ModelFileError(path, "its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(path, "its metadata is not a tagger model description")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            path,
            f"model format version {meta.get('format_version')!r} is not supported "
            f"(this tagger reads version {FORMAT_VERSION})",
        )
    for key in ("classes", "architecture", "frontend"):
        if key not in meta:
            raise ModelFileError(path, f"its metadata lacks {key!r}")
    return meta


def load_model(path: str | Path | None = None) -> ModelFile:
    path = resolve_model_path(path)
    meta = read_metadata(path)
    try:
        arch = dict(meta["architecture"])
        arch["conv_channels"] = tuple(arch.get("conv_channels", ()))
        config = NetworkConfig(**arch)
        frontend = FrontEndConfig(**meta["frontend"])
    except (TypeError, ValueError) as exc:
        raise ModelFileError(
            path, f"its architecture or front end is not understood ({exc})"
        ) from None
    classes = tuple(str(c) for c in meta["classes"])
    if len(classes) != config.n_classes or len(set(classes)) != len(classes):
        raise ModelFileError(path, "its class names do not match its number of outputs")
    network = Network(config)
    try:
        with safe_open(str(path), framework="pt") as f:
            state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
        network.load_state_dict(state, strict=True)
    except (RuntimeError, SafetensorError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise ModelFileError(path, f"its weights do not fit its architecture ({first})") from None
    network.eval()
    return ModelFile(
        path=path,
        network=network,
        classes=classes,
        frontend=frontend,
        training=meta.get("training", {}),
        metrics=meta.get("metrics", {}),
        sha256=file_sha256(path),
    )


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
