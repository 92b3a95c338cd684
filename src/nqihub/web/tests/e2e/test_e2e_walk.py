"""``make e2e``: every demo role's home and the pages of the seed's stories, in Chinese, desktop and phone, at 200 % zoom and in larger type,
without a failed request, a console error or an accessibility violation axe-core finds (``walk.py``).
Skipped unless NQIHUB_E2E=1; runs against the server at NQIHUB_BASE_URL that ``.ci/e2e`` starts."""

import os

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("NQIHUB_E2E") != "1", reason="browser checks run with NQIHUB_E2E=1"),
]


@pytest.mark.parametrize("screen", ["desktop", "phone", "zoom200", "large"])
def test_every_role_and_story_walks_clean(screen, tmp_path):
    from . import walk

    out = os.environ.get("NQIHUB_E2E_SHOTS")
    result = walk.run(
        os.environ.get("NQIHUB_BASE_URL", "http://127.0.0.1:8000"),
        (walk.Path(out) / screen) if out else None,
        (screen,),
    )
    english = len(walk.ROLES) if screen == "desktop" else 0
    assert len(result.pages) == len(walk.ROLES) + english + sum(len(paths) for _s, _u, paths in walk.STORIES)
    assert result.problems == [], "\n".join(result.problems)
