"""Start-up costs paid once per server, before the workers fork (gunicorn ``--preload``, the Celery worker's
main process): jieba's dictionaries (~1.3 s), every URL module and view (imported by resolving the URL conf)
the label rule packs and the OpenAPI document in the default language. Forked workers share the loaded memory; none of this opens a database connection."""

import logging
import time

logger = logging.getLogger("nqihub.warmup")


def warm_up() -> float:
    started = time.monotonic()
    from django.urls import get_resolver

    from nqihub.core import search
    from nqihub.labels import packs

    search.terms("螺蛳粉 甲醛含量")
    get_resolver().url_patterns  # noqa: B018  (imports every urls.py and the views they name)
    packs.packs()
    from django.conf import settings
    from django.utils import translation

    from nqihub.api import api

    with translation.override(settings.LANGUAGE_CODE):
        api.get_openapi_schema(path_params={})
    elapsed = time.monotonic() - started
    logger.info("warmed up in %.2f s", elapsed)
    return elapsed
