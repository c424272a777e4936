"""Flow-content tests talk to the real app through POST /skill (fixtures shared with tests/web)."""

from tests.web.conftest import app, client, handoffs  # noqa: F401  (pytest fixtures)
