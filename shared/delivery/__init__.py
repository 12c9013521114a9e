"""Sending the outbox over SMTP: building each message for its one recipient, and the mail servers.

May import: core … tickets.
"""
