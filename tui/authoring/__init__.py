"""Authoring: ``dossier new``, ``export``, ``source``, ``schema --write``, ``diff`` and the editor.

Like the data layer, nothing here imports Textual: these commands run without the app.
Each command lives in its own module and is imported by name (``tui.authoring.new``...);
this package imports nothing itself, so the explorer can take :mod:`.editor` for ``E``
without loading the schema, PyYAML or the renderers on a cache-hit start.
"""
