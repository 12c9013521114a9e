"""Print a fresh instance/config.py with a random secret key: for the demo (`make run`: self sign-up on,
mail to the catcher) or, with --serve, for a real desk (`make serve`: mail through the SMTP_URL you set)."""

import secrets
import sys

serve = sys.argv[1:] == ["--serve"]
if sys.argv[1:] not in ([], ["--serve"]):
    sys.exit("usage: new_instance_config.py [--serve]")

print(f"# Written by `make {'serve' if serve else 'run'}` for this machine's desk. Keep it out of version control.")
print(f"SECRET_KEY = {secrets.token_hex(32)!r}")
if serve:
    print("# Set these for your desk (README, Configuration); DESKBELL_* variables in the environment win.")
    print("# BASE_URL = 'https://help.example.com'  # the address people reach the desk by, used in mailed links")
    print("# MAIL_FROM = 'support@example.com'")
    print("# SMTP_URL = 'smtp+starttls://user:password@smtp.example.com:587'  # unset: mail waits in the outbox")
    print("# IMAP_URL = 'imaps://user:password@imap.example.com/INBOX'  # unset: no mail fetched")
else:
    print("SIGNUP_ENABLED = True  # customers may create their own accounts at /portal/signup")
    print("# Mail goes to the demo's catcher (`flask --app wsgi mail catcher`), kept under instance/mail-catcher/.")
    print("SMTP_URL = 'smtp://127.0.0.1:8025'")
