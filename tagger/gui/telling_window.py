"""Which window of a track to play when the user asks for a preview.

The most telling window is the one that best shows what the decision is about:
- if some window votes against the track's label (its own top class differs), the window whose
  probability for the *other* side is highest: that is the part of the song that disputes the
  verdict, and the reason it is being reviewed;
- otherwise the window where the track's label is most probable: the clearest evidence for it.

Pure function on plain data (no Qt), so it is tested directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from tagger.library.queries import WindowRow


def _top(probabilities: dict[str, float]) -> str | None:
    return max(probabilities, key=probabilities.__getitem__) if probabilities else None


def most_telling_window(windows: Sequence[WindowRow], label: str | None) -> int | None:
    """The index of the window to preview, or None for a track without windows."""
    if not windows:
        return None
    if label is None:
        label = _top(windows[0].probabilities)
    key = (label or "").casefold()

    def p_label(w: WindowRow) -> float:
        return sum(p for c, p in w.probabilities.items() if c.casefold() == key)

    disputing = [
        i for i, w in enumerate(windows) if (_top(w.probabilities) or "").casefold() != key
    ]
    if disputing:
        return min(disputing, key=lambda i: p_label(windows[i]))
    return max(range(len(windows)), key=lambda i: p_label(windows[i]))
