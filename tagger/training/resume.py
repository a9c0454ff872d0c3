"""Resume checkpoints of a training run: model, optimizer moments, best weights, RNG state and
history, as safetensors + JSON (nothing is ever unpickled). A checkpoint only resumes the run
whose fingerprint (options and labeled files) it was written for."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file


def resume_path(out: Path) -> Path:
    """Where the checkpoint of a run writing `out` lives (beside it)."""
    return out.with_name(out.name + ".resume")


def save_resume(path, fingerprint, network, optimizer, scheduler, state, history, best, rng_state):
    """Everything a resumed run needs, as tensors + JSON (no pickles)."""
    tensors = {f"model.{k}": v.detach().contiguous() for k, v in network.state_dict().items()}
    tensors.update({f"best.{k}": v.contiguous() for k, v in best.items()})
    opt_state = optimizer.state_dict()
    for idx, pstate in opt_state["state"].items():
        for key, value in pstate.items():
            tensors[f"optim.{idx}.{key}"] = torch.as_tensor(value).contiguous()
    meta = {
        "fingerprint": fingerprint,
        "state": state,
        "history": [asdict(r) for r in history],
        "param_groups": opt_state["param_groups"],
        "scheduler": scheduler.state_dict(),
        "rng": rng_state,
    }
    tmp = path.with_name(path.name + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(tmp), metadata={"resume": json.dumps(meta, default=int)})
    os.replace(tmp, path)


def load_resume(path, fingerprint, network, optimizer, scheduler, record_type):
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = json.loads((f.metadata() or {}).get("resume", "{}"))
    if meta.get("fingerprint") != fingerprint:
        return None
    tensors = load_file(str(path))
    network.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    best = {k[5:]: v for k, v in tensors.items() if k.startswith("best.")}
    opt_state: dict[str, Any] = {"state": {}, "param_groups": meta["param_groups"]}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, idx, name = key.split(".", 2)
            opt_state["state"].setdefault(int(idx), {})[name] = value
    optimizer.load_state_dict(opt_state)
    scheduler.load_state_dict(meta["scheduler"])
    history = [record_type(**r) for r in meta["history"]]
    return meta["state"], history, best, meta["rng"]
