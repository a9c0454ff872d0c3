"""Bundled model files (installed as the package data of tagger.bundled_models)."""
