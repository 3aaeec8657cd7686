"""Shared fixtures: the real corpus from ../shared/corpus and the Chromium browser."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# CI runs the same generated cases every time (a found bug is still found locally at random)
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def _need_corpus() -> Path:
    if not (CORPUS / "dev.jsonl").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CORPUS} is missing: CI must provide ../shared beside the clone")
        pytest.skip(f"{CORPUS} is missing (the shared corpus sits beside the repository)")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus folder (read at run time, never copied into the repository)."""
    return _need_corpus()


@pytest.fixture(scope="session")
def dev_docs(corpus_dir: Path) -> list[dict[str, Any]]:
    """The gold documents of dev.jsonl."""
    lines = (corpus_dir / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def pipeline():
    """One pipeline over the bundled gazetteer for the whole session."""
    from mapper.pipeline import default_pipeline

    return default_pipeline()
