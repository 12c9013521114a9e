"""Attachment storage: content-addressed files under the instance folder, checked on the way in
and served only as downloads (or inline for raster images) after the caller's permission check."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, send_file
from flask_babel import gettext, ngettext
from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value

from shared.access.permissions import find_attachment
from shared.core.errors import DomainError
from shared.core.extensions import db
from shared.models import Attachment, Entry

# Magic numbers of the only types that may ever be shown inline.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def limit_bytes() -> int:
    return int(current_app.config["MAX_ATTACHMENT_MB"]) * 1024 * 1024


def check_uploads(uploads: list[Upload]) -> None:
    """Refuse the whole message before anything is stored if one file is too big."""
    limit_mb = int(current_app.config["MAX_ATTACHMENT_MB"])
    max_files = int(current_app.config["MAX_ATTACHMENTS_PER_MESSAGE"])
    if len(uploads) > max_files:
        raise DomainError(
            ngettext(
                "Attach at most %(num)d file to one message.", "Attach at most %(num)d files to one message.", max_files
            ),
            field="attachments",
        )
    for upload in uploads:
        if len(upload.data) > limit_bytes():
            raise DomainError(
                gettext("%(name)s is larger than the %(mb)d MB limit.", name=upload.filename, mb=limit_mb),
                field="attachments",
            )


def sniff_type(data: bytes) -> str:
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def clean_filename(name: str) -> str:
    """A display name: no directories, no control characters, never empty."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[:255] or "attachment"


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 digest")
    return Path(current_app.config["ATTACHMENTS_DIR"]) / sha256[:2] / sha256[2:4] / sha256


def store_blob(data: bytes) -> str:
    """Write `data` once under its sha256 (raw mail shares this store) and return the digest."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write, sync, then rename, so a crash never leaves a half file under the final name.
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    return digest


def attach(entry: Entry, uploads: list[Upload]) -> list[Attachment]:
    check_uploads(uploads)
    if inspect(entry).pending:  # a new entry has these files and no others: no query to list them later
        set_committed_value(entry, "attachments", [])
    rows = []
    for upload in uploads:
        row = Attachment(
            entry=entry,
            filename=clean_filename(upload.filename),
            content_type=sniff_type(upload.data),
            size=len(upload.data),
            sha256=store_blob(upload.data),
        )
        db.session.add(row)
        rows.append(row)
    return rows


def serve(attachment: Attachment, *, inline: bool = False) -> Response:
    """The file as a download; inline only for sniffed raster images. Permission is the caller's."""
    show_inline = inline and attachment.is_inline_image
    return send_blob(
        attachment.sha256,
        mimetype=attachment.content_type if show_inline else "application/octet-stream",
        download_name=attachment.filename,
        as_attachment=not show_inline,
    )


def send_blob(sha256: str, *, mimetype: str, download_name: str, as_attachment: bool = True) -> Response:
    """A stored file to the browser, which must neither sniff it, run it nor cache it."""
    response = send_file(
        blob_path(sha256),
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        max_age=0,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download(account, number: int, attachment_id: int, *, inline: bool) -> Response:
    """The view both areas share: the file if `account` may see it, else 404 (never 403)."""
    attachment = find_attachment(account, number, attachment_id)
    if attachment is None:
        abort(404)
    return serve(attachment, inline=inline)
