"""The only request-aware part of `shared`: the view kit every view is written with (views.py: the
transaction around a verb, the acting account, `ticket_or_404`, page-or-fragment answers), htmx
helpers and the request log, authentication, forms, the account views both areas share, Markdown
preview, security headers, request limits, formatting.

May import: core … mail.
"""
