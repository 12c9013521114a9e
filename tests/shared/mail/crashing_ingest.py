"""A child process for the crash tests: `flask mail ingest` that SIGKILLs itself at a chosen point.

Usage: python -m tests.shared.mail.crashing_ingest POINT CONFIG_JSON < message
POINT: "blob" (raw bytes written, row not yet committed), "stored" (row committed, not processed),
"processing" (ticket, entry, files and mail flushed, not committed), "processed" (all committed).
"""

import json
import os
import signal
import sys
from collections.abc import Callable

from shared.core.extensions import db
from shared.mail import intake, routing
from shared.tickets import attachments
from wsgi import create_app


def _die_after(module: object, name: str, *, flush: bool = False) -> None:
    real: Callable = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if flush:
            db.session.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(module, name, wrapper)


def main() -> int:
    point, config = sys.argv[1], json.loads(sys.argv[2])
    targets = {
        "blob": (attachments, "store_blob", False),
        "stored": (intake, "receive", False),
        "processing": (routing, "_finish", True),
        "processed": (intake, "process_one", False),
    }
    module, name, flush = targets[point]
    _die_after(module, name, flush=flush)
    app = create_app(config)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["mail", "ingest"], input=sys.stdin.buffer.read())
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
