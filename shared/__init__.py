"""Deskbell's model and domain layer, shared by the portal, the console, mail and the CLI."""
