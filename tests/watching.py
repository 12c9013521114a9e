"""The hostile-input walk's instruments: which names a view reads from the request's query and form,
and which tables each committed transaction wrote."""

import re

from flask import Flask, request
from sqlalchemy import event
from werkzeug.datastructures import ImmutableMultiDict

names_read: list[tuple[str, str]] = []  # (where, name) from the request being watched


class _Watched(ImmutableMultiDict):
    """The request's query and form: notes every name a view looks up."""

    def _note(self, key) -> None:
        if isinstance(key, str):
            names_read.append(("args" if self is request.args else "form", key))

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)


class WatchedRequest(Flask.request_class):
    parameter_storage_class = _Watched


class Writes:
    """The tables each committed transaction wrote (by INSERT, UPDATE or DELETE)."""

    DML = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
    # The walker's own session is marked seen at most once a minute (shared/access/sessions.py), on whatever
    # request comes then: on a slow machine that can be a refused one, and it changes nothing the
    # request asked for. Any other write to `sessions` (ending one, say) still counts.
    SESSION_TOUCH = re.compile(
        r"^\s*UPDATE\s+sessions\s+SET\s+last_seen_at=[^,]*?\s+WHERE\s+sessions\.id\s*=", re.IGNORECASE
    )

    def __init__(self, engine, *, ignored: set[str]) -> None:
        self.ignored = ignored
        self.pending: dict[int, set[str]] = {}
        self.committed: set[str] = set()
        event.listen(engine, "before_cursor_execute", self._execute)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.SESSION_TOUCH.match(statement):
            return
        if found := self.DML.match(statement):
            self.pending.setdefault(id(conn.connection), set()).add(found.group(1).lower())

    def _commit(self, conn) -> None:
        self.committed |= self.pending.pop(id(conn.connection), set())

    def _rollback(self, conn) -> None:
        self.pending.pop(id(conn.connection), None)

    def take(self) -> set[str]:
        taken, self.committed = self.committed - self.ignored, set()
        return taken
