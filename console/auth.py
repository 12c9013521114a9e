"""Agent login, logout and password reset."""

from console import bp
from shared.models import Agent
from shared.web import account_views

account_views.register(bp, Agent, "console")
