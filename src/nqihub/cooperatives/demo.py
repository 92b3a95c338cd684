"""Demo data of the cooperatives app; called by ``load_demo`` after the directory's demo world exists."""


def seed_demo(today) -> None:
    """Idempotent: re-running updates the same rows."""
    return None
