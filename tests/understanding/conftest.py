from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_settings
from app.engine.catalog import Catalog
from app.engine.loader import load_catalog

HERE = Path(__file__).parent
EVAL_SET = HERE / "eval_set.yaml"
DEV_SET = HERE / "dev_set.yaml"


@pytest.fixture(scope="session")
def shipped() -> Catalog:
    """The real content, as the server loads it (the classifier trained on the shipped examples)."""
    settings = load_settings()
    return load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)
