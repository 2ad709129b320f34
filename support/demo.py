"""Demo support requests in every state, spread over the last weeks. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from support import services
from support.models import SupportRequest

# title, requester, category, days ago opened, hours to first answer (None: open), then
DEMO = [
    ("Which model alias for a RAG FAQ bot?", "product", "onboarding", 40, 5, "closed"),
    ("Eval dataset format for the golden set", "product", "tooling", 26, 30, "closed"),
    ("Token budget for long tickets", "product2", "capacity", 19, 3, "answered"),
    ("Cost per accepted outcome looks too high", "product2", "cost", 12, 20, "answered"),
    ("Rollback of a prompt during an incident", "product", "incident_help", 6, 1, "closed"),
    ("Can we add a CRM lookup tool?", "product2", "tooling", 2, None, "open"),
    ("Prefix caching for the triage assistant", "product", "capacity", 1, None, "open"),
]
ANSWER = "Here is how the platform does it; the runbook link is in the portal's guide."


def load(people: dict[str, Any]) -> None:
    platform = people["platform"]
    now = timezone.now()
    for title, who, category, days_ago, hours, final in DEMO:
        if SupportRequest.objects.filter(title=title).exists():
            continue
        request = services.support_open(
            actor=people[who], title=title, category=category,
            description=f"{title} We would like the platform's advice before we go further.",
        )  # fmt: skip
        opened = now - dt.timedelta(days=days_ago)
        SupportRequest.objects.filter(pk=request.pk).update(opened_at=opened)
        if hours is None:
            continue
        services.support_answer(request.pk, actor=platform, body=ANSWER)
        SupportRequest.objects.filter(pk=request.pk).update(
            first_answered_at=opened + dt.timedelta(hours=hours),
            last_answered_at=opened + dt.timedelta(hours=hours),
        )
        if final == "closed":
            services.support_close(request.pk, actor=platform, comment="Answered; closing.")
