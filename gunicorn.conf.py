"""gunicorn reads this file by itself when started from here (the repository, or the image's /app).

The settings and hooks live in ``service/gunicorn_conf.py`` so that an installed
fedcat (``fedcat serve``, ``gunicorn -c python:service.gunicorn_conf``) has them too.
"""

from service.gunicorn_conf import *  # noqa: F401,F403 - gunicorn picks its settings out of this module
