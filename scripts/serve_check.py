"""`make serve`'s checks before it serves a real desk, each a plain message and exit status 1 instead
of a traceback: `config`, the configuration loads (a secret key is set); `agent`, once the database
is upgraded, someone can log in (there is an agent)."""

import os
import sys

from sqlalchemy import func, select

from shared.core.config import PROJECT_ROOT, ConfigError
from shared.core.extensions import db
from shared.models import Agent
from wsgi import create_app

CREATE_ADMIN = "flask --app wsgi users create-agent EMAIL --admin"


def main(step: str) -> int:
    try:
        app = create_app()
    except ConfigError as exc:
        print(f"Deskbell cannot start: {exc}", file=sys.stderr)
        return 1
    if step == "agent":
        with app.app_context():
            agents = db.session.scalar(select(func.count()).select_from(Agent))
        if not agents:
            instance = os.path.abspath(app.instance_path)
            prefix = "" if instance == str(PROJECT_ROOT / "instance") else f"DESKBELL_INSTANCE_PATH={instance} "
            print(
                "Deskbell has no agent yet, so nobody could log in. Create the first admin, then run "
                f"`make serve` again:\n    {prefix}.venv/bin/{CREATE_ADMIN}",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:] not in (["config"], ["agent"]):
        sys.exit("usage: serve_check.py config|agent")
    sys.exit(main(sys.argv[1]))
