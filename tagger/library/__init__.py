"""The application's services over the music library; no Qt here.

- store / schema / migrations: the SQLite (or any SQLAlchemy URL) database, upgraded on open
- walk / fingerprint / scanner: folders → `tracks` rows, reading only what changed
- pipeline / records: batch classification (worker processes decode, this process predicts)
- review / queries: the review queue, user decisions, paged lists and counts for the GUI
- scope / settings / progress: genre scope, user settings, progress reports and cancellation
- tags: reading and writing genre tags (its own package)
"""
