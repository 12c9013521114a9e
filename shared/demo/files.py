"""Small, valid files for the demo's messages: a PNG, a PDF, a log or a spreadsheet, of the kind
the message mentions."""

import random
import struct
import zlib

from shared.tickets.attachments import Upload


def attachment(rng: random.Random, dept: str, values: dict, text: str) -> Upload:
    """A small, valid file of the kind the message mentions, or that its department's tickets carry."""
    hints = {"screenshot": "png", "log from": "txt", "printer's log": "txt", "spreadsheet": "csv", "PDF": "pdf"}
    kind = next((kind for word, kind in hints.items() if word in text), None)
    kind = kind or rng.choice({"Billing": ["pdf", "csv"], "Hardware": ["txt", "png"]}.get(dept, ["png", "png", "csv"]))
    if kind == "png":
        return Upload(rng.choice(["screenshot.png", "calendar-view.png", "error.png"]), _png(rng))
    if kind == "pdf":
        lines = [f"Tallybook invoice {values['inv']}", f"Total: {values['amount']} EUR"]
        return Upload(f"{values['inv']}.pdf", _pdf(lines))
    if kind == "csv":
        rows = ["date,client,service,price"] + [
            f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)},Client {rng.randint(1, 400)},"
            f"{rng.choice(['Cut', 'Colour', 'Massage', 'Check-up'])},{rng.randint(20, 120)}.00"
            for _ in range(rng.randint(3, 12))
        ]
        return Upload(rng.choice(["bookings-export.csv", "clients.csv"]), "\n".join(rows).encode() + b"\n")
    events = ["INFO ready", "INFO print job", "WARN sleep timer", "ERROR no ack from host"]
    times = sorted((rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)) for _ in range(8))
    lines = [f"{h:02d}:{m:02d}:{s:02d} {rng.choice(events)}" for h, m, s in times]
    return Upload("device-log.txt", ("\n".join(lines) + "\n").encode())


def _png(rng: random.Random, width: int = 160, height: int = 100) -> bytes:
    """A tiny made-up screenshot: a coloured title bar, a sidebar and grey lines of 'text'."""
    accent = bytes(rng.choice([(37, 99, 235), (22, 163, 74), (219, 39, 119), (234, 88, 12)]))
    sidebar, ink, paper = bytes((230, 232, 236)) * 32, bytes((120, 120, 120)), bytes((250, 250, 250))
    rows = []
    for y in range(height):
        if y < 14:
            row = accent * width
        elif y % 10 in (3, 4) and y < height - 8:
            length = rng.randint(30, width - 50)
            row = sidebar + ink * length + paper * (width - 32 - length)
        else:
            row = sidebar + paper * (width - 32)
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of Helvetica, with a correct cross-reference table."""
    text = " ".join(f"({line.replace('(', '').replace(')', '')}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 56 780 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
