"""Print a fresh instance/config.py for a local desk: a random secret key, self sign-up on, mail to the catcher."""

import secrets

print("# Written by `make run` for this machine's desk. Keep it out of version control.")
print(f"SECRET_KEY = {secrets.token_hex(32)!r}")
print("SIGNUP_ENABLED = True  # customers may create their own accounts at /portal/signup")
print("# Mail goes to the demo's catcher (`flask --app wsgi mail catcher`), kept under instance/mail-catcher/.")
print("SMTP_URL = 'smtp://127.0.0.1:8025'")
