"""Render the app icon (resources/tagger.svg) into the Windows .ico and the macOS .icns.

Run after changing the SVG, and commit the two outputs (the Windows and macOS builds take them
as they are, so neither runner needs an SVG renderer):

    python packaging/make_icons.py

Qt's SVG renderer draws each size (so small sizes are drawn, not scaled down); Pillow writes both
container formats.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "tagger.svg"
ICO = ROOT / "packaging" / "windows" / "tagger.ico"
ICNS = ROOT / "packaging" / "macos" / "tagger.icns"
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024]


def render(size: int) -> Image.Image:
    """The SVG drawn at size x size pixels, with transparency."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main() -> None:
    largest = render(max(ICNS_SIZES))
    ICO.parent.mkdir(parents=True, exist_ok=True)
    ICNS.parent.mkdir(parents=True, exist_ok=True)
    ico_images = [render(size) for size in ICO_SIZES]
    ico_images[-1].save(ICO, sizes=[(s, s) for s in ICO_SIZES], append_images=ico_images[:-1])
    largest.save(ICNS, append_images=[render(size) for size in ICNS_SIZES[:-1]])
    print(f"wrote {ICO.relative_to(ROOT)} and {ICNS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
