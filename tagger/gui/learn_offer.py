"""The bar above the track list that offers a first model of the user's own.

The bundled model has only heard synthetic music, so a library classified by it is the app at
its weakest, while the library's genre tags (and the user's decisions) are what a model of its
own learns from. When they are enough to train on (`service.learning.first_model_offer`) and
the bundled model is active, the bar says how many labels there are and offers the train
dialog. "Hide" hides it for this library for good (remembered in QSettings, by the library's
address); Library → Train a model from this library… is always there.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget
from sqlalchemy.engine import URL

from tagger.gui.class_colors import class_title
from tagger.service.learning import describe_label_totals

# An information bar's colours (as KDE's KMessageWidget): a tint of the Metal blue, readable on
# light and dark palettes alike.
STYLE = (
    "#learn-offer { background: rgba(63, 127, 212, 0.12); "
    "border: 1px solid rgba(63, 127, 212, 0.55); border-radius: 4px; }"
)


def hidden_key(url: URL) -> str:
    """The QSettings key that remembers "Hide" for the library at `url` (no password in it)."""
    address = url.render_as_string(hide_password=True).encode()
    return f"learn_offer_hidden/{hashlib.sha256(address).hexdigest()[:16]}"


def offer_text(counts: dict[str, int], classifying: bool = False) -> str:
    """ "1,204 Metal, 873 Hardcore and 312 Neither tracks in this library are labeled …";
    `classifying`: the bundled model is classifying the library now."""
    now = (
        " It is classifying your library now: stopping it and training first saves decoding "
        "every track for its verdicts."
        if classifying
        else ""
    )
    return (
        f"<b>This library can teach the tagger.</b> {describe_label_totals(counts, class_title)} "
        "tracks are labeled by their genre tags or your decisions. The bundled model has only "
        f"heard synthetic music; a model trained on your library has heard your records.{now}"
    )


class LearnOffer(QFrame):
    train_requested = Signal()
    hide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("learn-offer")
        self.setStyleSheet(STYLE)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.train_button = QPushButton("Train a model from this library…")
        self.train_button.clicked.connect(self.train_requested)
        self.hide_button = QPushButton("Hide")
        self.hide_button.setFlat(True)
        self.hide_button.setToolTip(
            "Don't offer this again for this library (Library → Train a model from this "
            "library… stays)"
        )
        self.hide_button.clicked.connect(self.hide_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.train_button)
        layout.addWidget(self.hide_button)
        self.hide()

    def show_counts(self, counts: dict[str, int] | None, classifying: bool = False) -> None:
        """Offer training on these labels; None: hide the bar."""
        if counts:
            self.text.setText(offer_text(counts, classifying))
        self.setVisible(bool(counts))
