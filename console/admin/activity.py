"""Admin: the audit log of account and catalog changes, newest first."""

from flask import render_template, request

from console.admin import bp
from shared.core import bounds
from shared.records import audit


@bp.get("/activity")
def activity_list():
    page = audit.recent(page=bounds.page(request.args.get("page")))
    return render_template(
        "console/admin/activity.html", page=page, describe=audit.describe, changed_fields=audit.changed_fields
    )
