"""WSGI entry point (gunicorn ``nqihub.wsgi``). In production it refuses to start without its
configuration (core.preflight), naming what is missing; with gunicorn's ``--preload`` the start-up costs
are paid once in the master before the workers fork (nqihub.warmup)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")
application = get_wsgi_application()

from nqihub import warmup  # noqa: E402
from nqihub.core import preflight  # noqa: E402  (needs the settings set up above)

preflight.refuse_if_misconfigured("web")
warmup.warm_up()
