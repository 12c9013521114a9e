"""The ground floor: configuration, the database handle and its extensions, the clock, errors, bounds
on input, translations, logging, URLs, Markdown rendering and paging.

Imports nothing else of `shared` but `models` (which itself imports only `core.extensions`).
"""
