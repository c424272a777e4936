from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.catalog import Catalog
from tests.engine.content import demo_catalog


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root: Path = tmp_path_factory.mktemp("content")
    return demo_catalog(root)
