"""Which float precision the network runs in on this CPU.

bfloat16 (torch.autocast) halves training time and cuts inference to a third on CPUs with native
bf16 instructions (AVX512-BF16, AMX), with window probabilities within ~3e-4 of float32
(benchmarks/classify_speed.py prints both). Elsewhere bf16 is emulated and slower, so float32.
TAGGER_PRECISION=fp32|bf16 overrides the choice. It applies to torch (training, and inference
with TAGGER_RUNTIME=torch); ONNX Runtime runs in float32 (its CPU kernels have no bf16
convolutions), and is faster than torch's bf16 all the same, unless TAGGER_PRECISION=int8: then
it runs the model's int8 form (model/int8_form.py), and torch, which has no int8 path here, makes
its own automatic choice.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path

NATIVE_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}


@functools.cache
def cpu_has_native_bf16() -> bool:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False  # not Linux: assume no, float32 is always correct
    flags = next(
        (line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")),
        [],
    )
    return bool(NATIVE_BF16_FLAGS & set(flags))


def precision_choice() -> str:
    return os.environ.get("TAGGER_PRECISION", "auto").lower()


def use_int8() -> bool:
    """Whether ONNX Runtime runs the model's int8 form (never the default: BENCHMARKS.md)."""
    return precision_choice() == "int8"


def use_bf16() -> bool:
    choice = precision_choice()
    if choice in ("fp32", "float32"):
        return False
    if choice in ("bf16", "bfloat16"):
        return True
    return cpu_has_native_bf16()


def autocast(enabled: bool | None = None) -> contextlib.AbstractContextManager:
    """bf16 autocast on the CPU when `enabled` (default: when this CPU runs bf16 natively)."""
    import torch  # here: choosing a precision must not load torch for ONNX Runtime users

    enabled = use_bf16() if enabled is None else enabled
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled)
