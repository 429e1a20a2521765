import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
application = get_wsgi_application()

# The buyer-words model is built once per process (about a second, longer on a busy machine). Built
# here, as the server process starts, rather than by the first case opened, which would wait for it.
from aftersales.intelligence.reasons.classify import model  # noqa: E402  (needs Django set up)

model()
