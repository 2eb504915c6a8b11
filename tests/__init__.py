"""Test suite for dossier."""
