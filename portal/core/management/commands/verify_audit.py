"""manage.py verify_audit: check the audit trail's hash chain; beat runs it daily too."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.core.audit import verify_and_alert


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain and its head. On any sign of tampering (a changed, "
        "deleted, forged or truncated row) print each, email the admins and exit 1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_and_alert()
        if report.intact:
            self.stdout.write(
                f"Audit trail intact: {report.rows} rows, head at seq {report.head_seq}."
            )
            return
        for finding in report.findings:
            self.stdout.write(f"{finding.kind}: {finding.message}")
        if report.unlisted:
            self.stdout.write(f"... and {report.unlisted} more.")
        raise CommandError(
            f"Audit trail check failed: {report.total} finding(s) in {report.rows} rows; "
            "the admins were emailed."
        )
