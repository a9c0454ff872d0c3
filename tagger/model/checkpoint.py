"""Model files: safetensors weights with our JSON metadata inside the same file.

Loading never unpickles: safetensors holds only tensors and a string→string metadata map. A file
whose metadata is missing, of another format version, or does not fit its weights is refused
with a ModelFileError that says why.

Reading a file's description (`read_model_info`) needs neither torch nor the network code, so
commands that only run the ONNX form of a model never import torch; building the torch network
(`load_model`) and writing a model file (`save_model`) import it where they run.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safetensors import SafetensorError, safe_open

from tagger.audio.mel import FrontEndConfig

if TYPE_CHECKING:
    from torch import nn

    from tagger.model.network import NetworkConfig

FORMAT = "metal-hardcore-tagger/model"
FORMAT_VERSION = 1
METADATA_KEY = "tagger"
BUNDLED_MODEL = "cnn-bigru-demo.safetensors"

# Sane ranges for every number in a model's metadata, checked before anything is allocated: a
# file saying hidden=1e7 would otherwise ask for 122 GB, and n_fft=0 fails deep inside torch.
# (kind, low, high), both ends included; "int" refuses 1e7 written as a float and booleans.
ARCHITECTURE_RANGES: dict[str, tuple[str, float, float]] = {
    "n_classes": ("int", 2, 1000),
    "in_channels": ("int", 1, 8),
    "n_mels": ("int", 8, 512),
    "hidden": ("int", 1, 2048),
    "layers": ("int", 1, 8),
    "head": ("int", 1, 8192),
    "conv_dropout": ("number", 0.0, 0.99),
    "head_dropout": ("number", 0.0, 0.99),
    # the related systems' sizes (model/architectures/)
    "kernel_size": ("int", 1, 15),
    "n_frames": ("int", 1, 100_000),
    "n_mfcc": ("int", 1, 512),
    "image_size": ("int", 8, 1024),
    # a calibrated temperature (network.NetworkConfig): wider than any fit on real data, narrow
    # enough that a file cannot turn every verdict into an exact 0/1 or a uniform guess
    "temperature": ("number", 0.05, 20.0),
}
CONV_CHANNELS_RANGE = ("int", 1, 1024)
MAX_CONV_BLOCKS = 6
FRONTEND_RANGES: dict[str, tuple[str, float, float]] = {
    "sample_rate": ("int", 8_000, 192_000),
    "window_samples": ("int", 1_024, 60 * 192_000),  # at most a minute per window
    "n_fft": ("int", 16, 65_536),
    "hop_length": ("int", 1, 65_536),
    "n_mels": ("int", 8, 512),
    "f_min": ("number", 0.0, 96_000.0),
    "f_max": ("number", 1.0, 96_000.0),
    "amin": ("number", 1e-20, 1.0),
    "top_db": ("number", 1.0, 400.0),
    "n_parts": ("int", 1, 1_000),
}
# The bundled model has 2.3 M parameters; a real one 100× larger still loads in seconds.
MAX_PARAMETERS = 250_000_000


class ModelFileError(Exception):
    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


@dataclass
class ModelInfo:
    """Everything a model file says about itself, without its weights (no torch needed)."""

    path: Path
    classes: tuple[str, ...]
    frontend: FrontEndConfig
    architecture: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class ModelFile(ModelInfo):
    """A loaded model: the torch network in eval mode and everything its metadata says."""

    # network.Network or a related system (model/architectures/)
    network: nn.Module = field(default=None, kw_only=True)  # type: ignore[assignment]


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


def refuse_to_replace(path: Path) -> None:
    """ModelFileError when `path` is a folder, or a file that is not a model: a library
    database, a song or a document given as the output by mistake would be lost for good."""
    if path.is_dir():
        raise ModelFileError(path, "is a folder; give a file name such as mine.safetensors")
    if path.exists():
        try:
            read_metadata(path)
        except ModelFileError:
            raise ModelFileError(
                path, "exists and is not a model file; it is left as it is: choose another name"
            ) from None


def check_model_destination(path: str | Path) -> Path:
    """Where a training run may write its model, checked before any work (not after an hour of
    training): nothing but a model replaced (`refuse_to_replace`), and a folder that can be made
    and written. ModelFileError says what is wrong."""
    path = Path(path)
    refuse_to_replace(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise ModelFileError(path, f"cannot be written there ({exc.strerror or exc})") from None
    return path


def save_model(
    path: str | Path,
    network: nn.Module,
    classes: list[str] | tuple[str, ...],
    frontend: FrontEndConfig,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    from safetensors.torch import save_file

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
    refuse_to_replace(path)
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
        with safe_open(str(path), framework="numpy") as f:
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
    validate_metadata_values(path, meta)
    return meta


def validate_metadata_values(path: str | Path, meta: dict[str, Any]) -> None:
    """Refuse any number outside its sane range, naming the field and the range allowed."""
    arch, front = meta["architecture"], meta["frontend"]
    if not isinstance(arch, dict) or not isinstance(front, dict):
        raise ModelFileError(path, "its architecture and front end must be JSON objects")
    for section, values, ranges in (
        ("architecture", arch, ARCHITECTURE_RANGES),
        ("frontend", front, FRONTEND_RANGES),
    ):
        for name, value in values.items():
            if name in ranges:
                _check_range(path, f"{section}.{name}", value, ranges[name])
    if not isinstance(front.get("overlap_short_tracks", False), bool):
        raise ModelFileError(path, "frontend.overlap_short_tracks must be true or false")
    channels = arch.get("conv_channels", [])
    if not isinstance(channels, list) or len(channels) > MAX_CONV_BLOCKS:
        raise ModelFileError(
            path, f"architecture.conv_channels must be a list of at most {MAX_CONV_BLOCKS} sizes"
        )
    for value in channels:
        _check_range(path, "architecture.conv_channels", value, CONV_CHANNELS_RANGE)
    if arch.get("n_mels", 64) < 2 ** len(channels):  # each conv block halves the Mel axis
        raise ModelFileError(path, f"architecture.n_mels is too small for {len(channels)} blocks")
    front = {**FrontEndConfig().to_dict(), **front}  # the values the front end will use
    if front["hop_length"] > front["n_fft"]:
        raise ModelFileError(path, "frontend.hop_length must not exceed frontend.n_fft")
    if not front["f_min"] < front["f_max"] <= front["sample_rate"] / 2:
        raise ModelFileError(
            path, "frontend.f_max must lie above frontend.f_min and at most sample_rate / 2"
        )
    if "n_mels" in arch and "n_mels" in front and arch["n_mels"] != front["n_mels"]:
        raise ModelFileError(path, "architecture.n_mels differs from frontend.n_mels")


def _check_range(
    path: str | Path, field: str, value: Any, allowed: tuple[str, float, float]
) -> None:
    kind, low, high = allowed
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    fits = is_number and (kind != "int" or isinstance(value, int)) and low <= value <= high
    if not fits:  # NaN fails the comparison too
        what = "an integer" if kind == "int" else "a number"
        low_text, high_text = (
            (f"{int(low):,}", f"{int(high):,}") if kind == "int" else (f"{low:g}", f"{high:g}")
        )
        raise ModelFileError(
            path, f"{field} is {value!r}; allowed: {what} from {low_text} to {high_text}"
        )


def _check_parameter_count(path: str | Path, config: NetworkConfig) -> None:
    """Count the network's parameters on torch's meta device, where nothing is allocated."""
    import torch

    from tagger.model.network import build_network, count_parameters

    with torch.device("meta"):
        count = count_parameters(build_network(config))
    if count > MAX_PARAMETERS:
        raise ModelFileError(
            path, f"its architecture has {count:,} parameters; at most {MAX_PARAMETERS:,} load"
        )


def read_model_info(path: str | Path | None = None) -> ModelInfo:
    """The file's description and content hash, checked as far as possible without torch."""
    path = resolve_model_path(path)
    meta = read_metadata(path)
    try:
        frontend = FrontEndConfig(**meta["frontend"])
    except (TypeError, ValueError) as exc:
        raise ModelFileError(path, f"its front end is not understood ({exc})") from None
    architecture = meta["architecture"]
    classes = tuple(str(c) for c in meta["classes"])
    if not isinstance(architecture, dict) or len(classes) != architecture.get("n_classes", 2):
        raise ModelFileError(path, "its class names do not match its number of outputs")
    if len(set(classes)) != len(classes):
        raise ModelFileError(path, "its class names are not unique")
    return ModelInfo(
        path=path,
        classes=classes,
        frontend=frontend,
        architecture=dict(architecture),
        training=meta.get("training", {}),
        metrics=meta.get("metrics", {}),
        sha256=file_sha256(path),
    )


def load_model(path: str | Path | None = None) -> ModelFile:
    """The file with its torch network built and loaded (imports torch)."""
    from tagger.model.network import NetworkConfig, build_network

    info = read_model_info(path)
    path = info.path
    try:
        arch = dict(info.architecture)
        arch["conv_channels"] = tuple(arch.get("conv_channels", ()))
        config = NetworkConfig(**arch)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(path, f"its architecture is not understood ({exc})") from None
    if len(info.classes) != config.n_classes:
        raise ModelFileError(path, "its class names do not match its number of outputs")
    _check_parameter_count(path, config)
    network = build_network(config)
    try:
        with safe_open(str(path), framework="pt") as f:
            state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
        network.load_state_dict(state, strict=True)
    except (RuntimeError, SafetensorError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise ModelFileError(path, f"its weights do not fit its architecture ({first})") from None
    network.eval()
    return ModelFile(**vars(info), network=network)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256_or_none(path: str | Path) -> str | None:
    """`file_sha256`, or None when the file cannot be read (a model file gone since)."""
    try:
        return file_sha256(path)
    except OSError:
        return None
