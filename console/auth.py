"""Agent login, logout and password reset."""

from console import bp
from shared import account_views
from shared.models import Agent

account_views.register(bp, Agent, "console")
