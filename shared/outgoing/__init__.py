"""Mail and events on their way out: the outbox, `notifications` (the only module that enqueues mail),
the desk's signed Message-IDs and own addresses, and the addresses bounces have stopped.

May import: core, models, mime, records, access.
"""
