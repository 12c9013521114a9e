"""Accounts: customers and agents signing up, logging in and resetting passwords, customers as the
console manages them, and organizations.

May import: core … search.
"""
