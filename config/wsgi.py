import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# The search's word segmentation loads its dictionary once per process: as a worker starts
# (and again after gunicorn's max_requests restart), not in a visitor's first search.
from search.text import warm_up  # noqa: E402 - after Django is set up

warm_up()
