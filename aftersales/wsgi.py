import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
application = get_wsgi_application()


def _build_buyer_words_model() -> None:
    """The buyer-words model is built once per process (a second or more, longer on a busy machine):
    built beside the server as its process starts, the first case opened does not wait for all of it,
    and the server answers at once (a worker still loading would miss its start-up deadline). Each
    process builds its own: the server runs without `--preload`, so no build is cut in two by a fork."""
    from aftersales.intelligence.reasons.classify import model

    model()


threading.Thread(target=_build_buyer_words_model, name="buyer-words-model", daemon=True).start()
