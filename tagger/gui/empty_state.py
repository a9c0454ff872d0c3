"""What an empty library shows: a clear first step instead of an empty table."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyLibrary(QWidget):
    add_folder_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("Your library is empty")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        text = QLabel(
            "Add a folder of music to get started, or drag a folder here.\n"
            "The tagger reads every audio file in it, then tells Metal from Hardcore."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Add folder…")
        self.button.setDefault(True)
        self.button.setMinimumWidth(180)
        self.button.clicked.connect(self.add_folder_requested)
        demo_text = QLabel(
            "No music at hand? Try the tagger on a demo library: two dozen synthetic songs,\n"
            "made on this computer in about a minute, then scanned and classified."
        )
        demo_text.setWordWrap(True)
        demo_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_button = QPushButton("Try it on a demo library")
        self.demo_button.setMinimumWidth(180)
        self.demo_button.clicked.connect(self.demo_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(heading, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        layout.addWidget(text)
        layout.addSpacing(16)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(32)
        layout.addWidget(demo_text)
        layout.addSpacing(8)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
