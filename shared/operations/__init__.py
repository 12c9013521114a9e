"""Operations on a whole desk: backups (and, beside them, moves between databases).

May import: everything below it; only the command line imports it.
"""
