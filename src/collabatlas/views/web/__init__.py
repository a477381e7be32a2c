"""The interactive dashboard and JSON API (``collabatlas serve``): FastAPI routes over the Atlas.

``create_app(store)`` builds the app; see ``docs/dashboard.md``."""

from collabatlas.views.web.app import create_app

__all__ = ["create_app"]
