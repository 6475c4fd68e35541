"""The WSGI application for gunicorn.

gunicorn runs with `--preload` (Procfile, Dockerfile): the master imports the app once
and forks its workers, which share it. `warm_up()` then also does in the master what
each worker's first request would otherwise pay (~0.5 s of CPU): importing every
view through the URLconf, reading the Polish catalogue, compiling the base template.
A web process started again (a deploy, a killed process) so costs one import instead
of one per worker, while the other processes carry the load. No database or Redis
connection is opened before the fork (the warm-up reads only code and files).
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")

application = get_wsgi_application()


def warm_up() -> None:
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports every app's urls and views
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Home")
    get_template("base.html")
    # Nothing above should connect; if something did, the workers must not share it.
    connections.close_all()


warm_up()
