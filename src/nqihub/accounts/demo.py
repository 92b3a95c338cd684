"""The demo users' password (``manage.py load_demo`` sets it; tests and app demo data sign in with it)."""

import os

DEFAULT_DEMO_PASSWORD = "NqiDemo@2026"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
