"""The application service: every job the CLI and the GUI run, Qt-free, in plain dataclasses.

`cli/` and `gui/` are adapters over this package (argument parsing and printing; widgets and
signals). Each job takes a progress callback and a cancel flag and returns the library's own
result objects plus the one-line summaries both front ends show.

Modules import torch (through the predictor and the batch pipeline) only inside the functions
that classify, so commands that do not classify start without it.
"""
