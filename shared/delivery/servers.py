"""The desk's mail servers, each named by one URL: smtp://, smtp+starttls:// or smtps:// to send,
imap://, imap+starttls:// or imaps:// to read; `?starttls=1` and `?cafile=PATH` work on either."""

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from shared.core.config import ConfigError


@dataclass(frozen=True)
class ServerUrl:
    host: str
    port: int
    security: str  # "plain", "starttls" or "ssl"
    username: str | None
    password: str | None
    path: str  # without slashes: IMAP's folder
    cafile: str | None


def parse(url: str, *, setting: str, protocol: str, default_ports: dict[str, int]) -> ServerUrl:
    """`url` as a server to reach; one the desk cannot use is a configuration error naming `setting`."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    scheme = parts.scheme.lower()
    if scheme == protocol:
        starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "true", "yes", "on")
        security = "starttls" if starttls else "plain"
    elif scheme == f"{protocol}+starttls":
        security = "starttls"
    elif scheme == f"{protocol}s":
        security = "ssl"
    else:
        schemes = f"{protocol}://, {protocol}+starttls:// or {protocol}s://"
        raise ConfigError(f"{setting} must start with {schemes}, not {url!r}")
    try:
        port = parts.port or default_ports[security]
    except ValueError as exc:
        raise ConfigError(f"{setting} has a bad port: {exc}") from exc
    if not parts.hostname:
        raise ConfigError(f"{setting} names no host")
    return ServerUrl(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        path=unquote(parts.path.strip("/")),
        cafile=query.get("cafile", [None])[-1],
    )
