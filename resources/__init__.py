"""Icons and desktop files (installed as the package data of tagger.resources)."""
