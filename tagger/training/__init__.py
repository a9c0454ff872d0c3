"""Datasets, the track-level split, the training loop, the evaluation report and the demo corpus."""
