"""How a model's or a person's label combines with the genres a file already has."""

from __future__ import annotations

from typing import Literal

from .base import normalize_genres


def merge_genres(
    existing: list[str], label: str, mode: Literal["add", "replace", "fill"]
) -> list[str]:
    """The genre list to write.

    - ``add``: keep the existing genres and append ``label`` unless it is already there
      (compared case-insensitively).
    - ``replace``: just ``label``.
    - ``fill``: ``label`` only when there is no genre; otherwise ``existing`` unchanged.
    """
    label = label.strip()
    if not label:
        raise ValueError("label must not be empty")
    if mode == "add":
        return normalize_genres([*existing, label])
    if mode == "replace":
        return [label]
    if mode == "fill":
        return list(existing) if any(g.strip() for g in existing) else [label]
    raise ValueError(f"unknown merge mode {mode!r}; expected 'add', 'replace' or 'fill'")
