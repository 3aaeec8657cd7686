"""Bundled data (gazetteer, lexicons), installed as the ``mapper.data`` package."""
