"""The only request-aware part of `shared`: htmx helpers and the request log, authentication, forms,
the account views both areas share, Markdown preview, security headers, request limits, formatting.

May import: core … mail.
"""
