"""gunicorn's settings for Deskbell, read from the working directory (`make run`, `make bench`)."""

import gc


def post_worker_init(worker: object) -> None:
    """What is alive once the app has loaded lives as long as the worker: frozen, the cyclic garbage
    collector stops walking it at every collection; a higher first threshold lets a page's burst of
    short-lived objects (ORM rows, markup) go before a collection runs."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
