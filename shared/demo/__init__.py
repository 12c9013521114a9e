"""Demo data for `make run`: a desk with customers, agents and a believable history. `seed` runs it;
`story` plays one ticket's life; `company`, `requests` and `texts` hold the words; `files` makes
the attachments.

May import: everything below it; only the CLI imports it.
"""
