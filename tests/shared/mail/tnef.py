"""Writing a small winmail.dat (MS-TNEF, as Outlook sends it) for the intake tests, so they need no
message from outside the repository.

A TNEF stream is a signature, a key, then attributes: level (message or attachment), id (a 16-bit
name and a 16-bit type), length, data and a 16-bit checksum of the data's bytes ([MS-OXTNEF] 2.1.3).
"""

import struct

SIGNATURE = 0x223E9F78
MESSAGE, ATTACHMENT = 0x01, 0x02
# Attribute names and their types, as [MS-OXTNEF] 2.1.3.2 lists them.
TNEF_VERSION, OEM_CODEPAGE, BODY = (0x9006, 0x0008), (0x9007, 0x0006), (0x800C, 0x0002)
ATTACH_RENDERING, ATTACH_TITLE, ATTACH_DATA = (0x9002, 0x0006), (0x8010, 0x0001), (0x800F, 0x0006)


def _attribute(level: int, attribute: tuple[int, int], data: bytes) -> bytes:
    name, kind = attribute
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)


def winmail_dat(*, body: str = "", files: list[tuple[str | bytes, bytes]] = (), codepage: int = 1252) -> bytes:
    """A winmail.dat with a plain-text body (UTF-8 bytes) and the given files; a name given as bytes
    is written as it is (Outlook writes titles in the sender's 8-bit code page)."""
    out = struct.pack("<IH", SIGNATURE, 0x0001)
    out += _attribute(MESSAGE, TNEF_VERSION, struct.pack("<I", 0x00010000))
    out += _attribute(MESSAGE, OEM_CODEPAGE, struct.pack("<II", codepage, 0))
    if body:
        out += _attribute(MESSAGE, BODY, body.encode())
    for name, data in files:
        out += _attribute(ATTACHMENT, ATTACH_RENDERING, bytes(14))
        title = name if isinstance(name, bytes) else name.encode()
        out += _attribute(ATTACHMENT, ATTACH_TITLE, title + b"\x00")
        out += _attribute(ATTACHMENT, ATTACH_DATA, data)
    return out
