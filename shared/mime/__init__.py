"""Reading mail as MIME: charsets and headers (addresses, dates, Message-IDs), with no idea of tickets.

May import: core, models.
"""
