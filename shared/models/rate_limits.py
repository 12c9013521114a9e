"""Abuse-limit counters: requests counted per key in fixed windows, in the database that every web
worker and server shares, so a limit holds however the requests are spread."""

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.core.extensions import db


class RateLimitCount(db.Model):
    """How many requests one key (a limit's name and a keyed hash of the client IP, address or
    account) made in the window starting at `window_start`. shared/access/rate_limits.py adds to it with
    one upsert; the worker deletes the rows whose window is over (`expires_at`)."""

    __tablename__ = "rate_limit_counts"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix seconds
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)  # Unix seconds: the window's end
    n: Mapped[int] = mapped_column(default=0)
