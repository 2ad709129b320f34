"""The rows behind each metric: base querysets (team-filtered, not yet windowed) and the
conditions the metrics count. The metrics aggregate them; the drill-down lists page through
the same querysets, so a list shows exactly what its number counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.texts import interpolated
from dashboard.windows import Window
from exceptions.models import PlatformException
from incidents.metrics import SecondsBetween
from incidents.models import Incident
from portal.core import roles
from portal.core.models import AuditEntry, Team, User
from releases.models import SIGNOFF_RULES, Release, SignOff
from scenarios.models import Amendment, Scenario, Vacancy
from staffing.models import TeamOnboarding
from support.models import SupportRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

OPEN_EXCEPTION = PlatformException.OPEN


def _for_team(queryset: QuerySet[Any], window: Window, path: str) -> QuerySet[Any]:
    return queryset if window.team is None else queryset.filter(**{path: window.team})


# Scenarios


def onboarding_base(window: Window) -> QuerySet[Scenario]:
    """Scenarios with an onboarding time: onboarded after a first submission."""
    scenarios = Scenario.objects.filter(
        onboarded_at__isnull=False, first_submitted_at__isnull=False
    )
    return _for_team(scenarios, window, "team").select_related("team")


def _is_platform_reviewer(user_ref: str) -> Exists:
    return Exists(
        User.groups.through.objects.filter(
            user_id=OuterRef(user_ref), group__name=roles.PLATFORM_REVIEWER
        )
    )


def self_service_base(window: Window) -> QuerySet[Scenario]:
    """Onboarded scenarios with the three facts self-service depends on."""
    scenarios = Scenario.objects.filter(onboarded_at__isnull=False).annotate(
        submitter_in_team=Exists(
            Team.members.through.objects.filter(
                team_id=OuterRef("team_id"), user_id=OuterRef("submitted_by_id")
            )
        ),
        platform_submitted=_is_platform_reviewer("submitted_by_id"),
        platform_created=_is_platform_reviewer("created_by_id"),
        open_exception=Exists(PlatformException.objects.open().filter(scenario_id=OuterRef("pk"))),
    )
    return _for_team(scenarios, window, "team").select_related("team", "submitted_by")


SELF_SERVICE = Q(
    submitted_by__isnull=False,
    submitter_in_team=True,
    platform_submitted=False,
    platform_created=False,
    open_exception=False,
)


def active_scenarios(window: Window) -> QuerySet[Scenario]:
    scenarios = Scenario.objects.live()
    return _for_team(scenarios, window, "team").select_related("team")


HAS_DATASET = ~Q(eval_dataset="")


# Vacant roles


def vacancy_base(window: Window) -> QuerySet[Vacancy]:
    """Vacancies of RACI roles and escalation steps of the scenarios live now."""
    vacancies = Vacancy.objects.of_roles().filter(scenario__in=Scenario.objects.live())
    return _for_team(vacancies, window, "scenario__team")


# `VacancyQuerySet.open()` as a filter of the aggregate.
OPEN_VACANCY = Vacancy.open_q()


def vacant_at(moment: dt.datetime) -> Q:
    """A vacancy open at `moment`: opened by then, and not filled or lapsed yet."""
    return Q(opened_at__lte=moment) & (Q(ended_at__isnull=True) | Q(ended_at__gt=moment))


def vacant_scenarios(window: Window) -> QuerySet[Scenario]:
    """The live scenarios with at least one vacant role or escalation step now, with those
    vacancies loaded (`open_vacancies`)."""
    vacant = Vacancy.objects.open().of_roles()
    # Unpacked, as in `scenario_detail`: the model declares `open_vacancies` for prefetches.
    loaded: list[Any] = [
        Prefetch("vacancies", vacant.select_related("person"), to_attr="open_vacancies")
    ]
    return (
        active_scenarios(window)
        .filter(Exists(vacant.filter(scenario=OuterRef("pk"))))
        .prefetch_related(*loaded)
    )


# Incidents


def incident_base(window: Window) -> QuerySet[Incident]:
    incidents = Incident.objects.all()
    return _for_team(incidents, window, "scenario__team").select_related("scenario")


# Releases


def release_base(window: Window) -> QuerySet[Release]:
    """Approved releases, with the approving cost sign-off of the approved revision (if any)
    and the scenario's eval threshold, both as joins: at most one approving sign-off exists
    per release, revision and kind, so the join adds no rows. Joins keep the planner's cost
    estimate low (a per-row subquery over a year of releases crosses PostgreSQL's JIT
    threshold, and compiling costs more than the query)."""
    releases = Release.objects.filter(approved_at__isnull=False).annotate(
        cost_signoff=FilteredRelation(
            "signoffs",
            condition=Q(
                signoffs__kind=SignOff.Kind.COST,
                signoffs__decision=SignOff.Decision.APPROVE,
                signoffs__revision=F("revision"),
            ),
        ),
        cost_signoff_pk=F("cost_signoff__id"),
        threshold=F("scenario__eval_threshold"),
    )
    return _for_team(releases, window, "scenario__team").select_related("scenario")


COST_REVIEWED = Q(cost_signoff_pk__isnull=False)
EVAL_PASSED = Q(eval_score__isnull=False, threshold__isnull=False, eval_score__gte=F("threshold"))


def human_actions(release_ref: str = "pk", until: str = "released_at") -> Coalesce:
    """The release's audit rows with a person as actor (system rows have none), from its
    creation to `until`: every sign-off and click a person gave it."""
    rows = (
        AuditEntry.objects.filter(
            content_type__app_label=Release._meta.app_label,
            content_type__model=Release._meta.model_name,
            object_id=Cast(OuterRef(release_ref), CharField()),
            actor__isnull=False,
            created_at__lte=OuterRef(until),
        )
        .order_by()
        .values("content_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def prompt_release_base(window: Window) -> QuerySet[Release]:
    """Prompt-only releases that were released (the window filters on `released_at`)."""
    releases = Release.objects.filter(
        change_type=Release.ChangeType.PROMPT_ONLY, released_at__isnull=False
    )
    return _for_team(releases, window, "scenario__team").select_related("scenario")


# Exceptions


def exception_base(window: Window) -> QuerySet[PlatformException]:
    exceptions = PlatformException.objects.all()
    if window.team is not None:
        exceptions = exceptions.filter(
            Q(team=window.team) | Q(team__isnull=True, scenario__team=window.team)
        )
    return exceptions.select_related("scenario", "team")


DETECTED = Q(status=PlatformException.Status.DETECTED)
ENDED = PlatformException.ENDED_AFTER_APPROVAL
past_expiry = PlatformException.past_expiry_q
undocumented_now = PlatformException.undocumented_q


def undocumented_at(moment: dt.datetime) -> Q:
    """Undocumented as things stood at `moment`, rebuilt from the exceptions' own timestamps:
    detected from creation until justified (`requested_at`); approved and past expiry from the
    expiry date until the exception ended (`ended_at`, set by expire, revoke or close)."""
    day = timezone.localdate(moment)
    status = PlatformException.Status
    detected = Q(created_at__lte=moment) & (
        Q(status=status.DETECTED) | Q(detected_by__isnull=False, requested_at__gt=moment)
    )
    lapsed = (
        Q(expires_on__lte=day)
        & (Q(decided_at__isnull=True) | Q(decided_at__lte=moment))
        & (Q(status=status.APPROVED) | Q(status__in=ENDED, ended_at__gt=moment))
    )
    return detected | lapsed


def undocumented_weeks(window: Window) -> dict[str, Any]:
    """`undocumented_at` at the end of every trend week at once, as week indices (0 the
    newest): an exception is undocumented at the end of week k when `detected_from <= k <=
    detected_to` or `lapsed_from <= k <= lapsed_to` (None: never). Exact, because the end of
    week k is at or after t exactly when k <= window.week(t), and before t exactly when
    k > window.week(t). The expressions do not grow with the number of weeks (but for the
    expiry dates), so a year's trend compiles as fast as a month's."""
    status = PlatformException.Status
    last = window.weeks  # every index past the trend's oldest week means the same
    week = window.week

    def week_after(field: str) -> Any:
        return week(field) + 1

    return {
        "detected_from": Case(
            When(status=status.DETECTED, then=Value(0)),
            When(
                detected_by__isnull=False,
                requested_at__isnull=False,
                then=week_after("requested_at"),
            ),
            default=None,
            output_field=IntegerField(),
        ),
        "detected_to": Least(week("created_at"), Value(last)),
        "lapsed_from": Case(
            When(status=status.APPROVED, then=Value(0)),
            When(status__in=ENDED, ended_at__isnull=False, then=week_after("ended_at")),
            default=None,
            output_field=IntegerField(),
        ),
        "lapsed_to": Case(
            When(expires_on__isnull=True, then=None),
            default=Least(_expiry_week(window), Coalesce(week("decided_at"), Value(last))),
            output_field=IntegerField(),
        ),
    }


def _expiry_week(window: Window) -> Case:
    """The oldest trend week whose end falls on or after the expiry date (its local day, as
    `undocumented_at` compares it), -1 when none does."""
    days = [timezone.localdate(window.week_of(k)[1]) for k in range(window.weeks)]
    return Case(
        *[When(expires_on__gt=day, then=Value(k - 1)) for k, day in enumerate(days)],
        default=Value(window.weeks - 1),
        output_field=IntegerField(),
    )


def maybe_undocumented_since(moment: dt.datetime, today: dt.date) -> Q:
    """Every exception `undocumented_at` can count between `moment` and now (`today` is now's
    local day): a cheap first filter, so the per-week counts only look at candidates. An
    approved exception that expires after today has not lapsed yet."""
    return (
        undocumented_now(today)
        | Q(detected_by__isnull=False, requested_at__gt=moment)
        | Q(status__in=ENDED, ended_at__gt=moment)
    )


# Support


def support_base(window: Window) -> QuerySet[SupportRequest]:
    requests = SupportRequest.objects.all()
    return _for_team(requests, window, "team").select_related("team", "requester", "scenario")


# Team onboarding


def team_onboarding_base(window: Window) -> QuerySet[TeamOnboarding]:
    """Team onboardings that are complete (onboarded − requested is their time)."""
    onboardings = TeamOnboarding.objects.filter(onboarded_at__isnull=False)
    return _for_team(onboardings, window, "team").select_related("team", "onboarding_owner")


def teams() -> QuerySet[Team]:
    """Teams the dashboard can be filtered by."""
    return Team.objects.order_by("name")


# Platform wait


def _audit_of(model: type[Any]) -> QuerySet[AuditEntry]:
    """Audit rows of the object in `OuterRef("pk")`, by join (no content type lookup)."""
    meta = model._meta
    return AuditEntry.objects.filter(
        content_type__app_label=meta.app_label,
        content_type__model=meta.model_name,
        object_id=Cast(OuterRef("pk"), CharField()),
    )


def _scenario_waits(window: Window) -> QuerySet[Scenario]:
    scenarios = Scenario.objects.filter(submitted_at__isnull=False)
    return _for_team(scenarios, window, "team").select_related("team", "reviewer")


def _signoff_waits(kind: str) -> Callable[[Window], QuerySet[SignOff]]:
    def rows(window: Window) -> QuerySet[SignOff]:
        signoffs = SignOff.objects.filter(kind=kind).annotate(
            waited_from=F(f"release__{SIGNOFF_RULES[kind].since}")
        )
        return _for_team(signoffs, window, "release__scenario__team").select_related(
            "release__scenario__team", "actor"
        )

    return rows


def _release_waits(window: Window) -> QuerySet[Release]:
    releases = Release.objects.filter(approved_at__isnull=False)
    return _for_team(releases, window, "scenario__team").select_related("scenario__team")


def _amendment_waits(window: Window) -> QuerySet[Amendment]:
    amendments = Amendment.objects.filter(submitted_at__isnull=False)
    return _for_team(amendments, window, "scenario__team").select_related(
        "scenario__team", "decided_by"
    )


@dataclass(frozen=True)
class WaitStage:
    """One wait on the platform: rows of `rows` from `start` to `end` (time stamps of the
    row), counted in the window its `end` falls in, against the reminder SLA `sla` (a
    settings.PORTAL name; "" when no reminder chases this wait)."""

    key: str
    label: StrOrPromise
    rows: Callable[[Window], QuerySet[Any]]
    start: str
    end: str
    sla: str
    reviewer: str  # the user field naming who ended the wait ("": nobody in particular)
    team: str  # the path to the team

    @property
    def sla_hours(self) -> float | None:
        if not self.sla:
            return None
        hours: Any = settings.PORTAL[self.sla]
        return float(hours)

    def waits(self, window: Window) -> QuerySet[Any]:
        """The rows whose wait ended, each with its `wait` in seconds and `past_sla`."""
        late = Q(wait__gt=self.sla_hours * 3600) if self.sla_hours is not None else Q(pk__in=[])
        return (
            self.rows(window)
            .filter(**{f"{self.start}__isnull": False, f"{self.end}__isnull": False})
            .annotate(wait=SecondsBetween(F(self.end), F(self.start)))
            .annotate(past_sla=ExpressionWrapper(late, output_field=BooleanField()))
        )


# The stages of "is the platform a bottleneck?", in the order work moves through them.
WAIT_STAGES: list[WaitStage] = [
    WaitStage("intake-review", _("Intake to review start"), _scenario_waits,
              "submitted_at", "review_started_at", "SLA_SCENARIO_REVIEW_HOURS", "reviewer", "team"),
    WaitStage("review-decision", _("Review to decision"), _scenario_waits,
              "review_started_at", "decided_at", "SLA_SCENARIO_REVIEW_HOURS", "reviewer", "team"),
    *[WaitStage(f"signoff-{kind}",
                interpolated(_("%(kind)s sign-off"), {"kind": SignOff.Kind(kind).label}),
                _signoff_waits(kind), "waited_from", "created_at", "SLA_RELEASE_SIGNOFF_HOURS",
                "actor", "release__scenario__team")
      for kind in SIGNOFF_RULES],
    WaitStage("approval-release", _("Approval to release"), _release_waits,
              "approved_at", "released_at", "", "", "scenario__team"),
    WaitStage("amendment-review", _("Amendment review"), _amendment_waits,
              "submitted_at", "decided_at", "SLA_AMENDMENT_REVIEW_HOURS", "decided_by",
              "scenario__team"),
]  # fmt: skip
STAGES = {stage.key: stage for stage in WAIT_STAGES}


def platform_actions_base(window: Window) -> QuerySet[Release]:
    """Released releases, each with the number of its audit rows whose actor is a platform
    reviewer (`platform_actions`)."""
    actions = (
        _audit_of(Release)
        .filter(_is_platform_reviewer("actor_id"))
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    releases = Release.objects.filter(released_at__isnull=False).annotate(
        platform_actions=Coalesce(Subquery(actions[:1]), Value(0))
    )
    return _for_team(releases, window, "scenario__team").select_related("scenario__team")
