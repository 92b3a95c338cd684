"""Menu of the labels app for the layout (``web.context_processors.build_navigation``)."""


def menu(user, current: str = ""):
    """A top-level NavItem (with children) for ``user``, or None when the user has nothing here."""
    return None
