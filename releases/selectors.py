"""Reads of releases, sign-offs and model aliases. `visible_releases` (lists) and
`get_release_for` (one release) are the access functions; both follow `policies.can_view`."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

from django.core.paginator import Page
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, When, Window
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exceptions import policies as exception_policies
from portal.core import dates
from portal.core.audit import history_for
from portal.core.compiled_get import CompiledGet
from portal.core.models import User
from portal.core.pagination import BoundedPaginator, page_number
from portal.core.policies import signed_in
from portal.core.related_users import attach_people
from portal.core.selectors import (
    WORK_CARD_COUNT_BOUND,
    WORK_CARD_ITEMS,
    queryset_card,
    work_card,
)
from portal.core.transitions import Action, available_actions, catalogue
from releases import evidence, gates, policies
from releases.models import (
    SIGNOFF_RULES,
    SNAPSHOT_OWNERS,
    AliasMove,
    ModelAlias,
    Release,
    ReleasePolicy,
    SignOff,
)
from scenarios import policies as scenario_policies
from scenarios.checklist import RACI_LABELS
from scenarios.models import Scenario
from scenarios.selectors import open_vacancies

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

ACTIONS = catalogue(Release, "submit", "revise", "start_rollout", "release", "roll_back")


def visible_releases(user: User) -> QuerySet[Release]:
    """Releases this user may see (`policies.can_view` as a filter): all but other teams'
    drafts; drafts also for platform/admin."""
    qs = Release.objects.select_related("scenario", "scenario__team", "author")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if scenario_policies.is_platform(user) or scenario_policies.is_admin(user):
        return qs
    return qs.filter(
        ~Q(status=Release.Status.DRAFT) | Q(scenario__team_id__in=scenario_policies.team_ids(user))
    )


def _release_page_queryset() -> QuerySet[Release]:
    alias = ModelAlias.objects.filter(name=OuterRef("alias_name"))
    return Release.objects.select_related("scenario__team").annotate(
        alias_pk=Subquery(alias.values("pk")[:1]),
        alias_release_pk=Subquery(alias.values("current_release_id")[:1]),
    )


# Compiled once per connection: the three tables' columns are most of the cost of reading one.
_RELEASE = CompiledGet(lambda: Release.objects.select_related("scenario", "author"))
_RELEASE_PAGE = CompiledGet(_release_page_queryset)


def get_release_for(user: User, pk: Any, *, detail: bool = False) -> Release:
    """The release if this user may see it, else 404 (never reveals that a draft exists).

    The row is read first and `policies.can_view` decides, so a release past draft costs no
    query about the user's teams or roles. `detail=True` reads what the release page shows
    with it instead of the author: the scenario's team, the model alias (`alias_pk`) and the
    release it serves (`alias_release_pk`); `release_page` attaches the people."""
    try:
        release = (_RELEASE_PAGE if detail else _RELEASE).get(pk)
    except (Release.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such release.")) from exc
    if not policies.can_view(user, release):
        raise Http404(_("No such release."))
    return release


def _approved(kind: str) -> Exists:
    return Exists(
        SignOff.objects.filter(
            release=OuterRef("pk"),
            revision=OuterRef("revision"),
            kind=kind,
            decision=SignOff.Decision.APPROVE,
        )
    )


def due_signoffs(kind: str) -> QuerySet[Release]:
    """Releases on which a sign-off of `kind` is due from the scenario's named owner
    (`owner_id`, waiting since `since`, reminded as `remind_id`: the owner, or the rule's
    stand-in once the owner has left): in the state that asks for it, not yet approved on this
    revision (a rejected rollout sign-off is still owed), not written by that owner, and for the
    platform rollout, off the fast path. The inbox and the reminders both read this. Due
    releases are never drafts, so everyone may see them."""
    rule = SIGNOFF_RULES[kind]
    # The owner in force at submit, else the scenario's current one (`SignOffRule.signer_id`).
    owner = rule.in_force(rule.owner_id)
    due = (
        Release.objects.alias(rm_owner=owner)
        .filter(~_approved(kind), status=rule.state)
        .exclude(Q(rm_owner=F("author_id")) & Q(rm_owner__isnull=False))
    )
    if kind == SignOff.Kind.PLATFORM_ROLLOUT:
        due = gates.with_fast_path(due).filter(rm_fast=False)
    # Nothing waits silently on an owner who left: the rule's stand-in is reminded instead.
    remind = Case(
        When(Q(rm_owner_active=False), then=rule.in_force(f"{rule.stand_in}_id")),
        default=F("rm_owner"),
    )
    return due.alias(rm_owner_active=rule.in_force(f"{rule.owner}__is_active")).annotate(
        owner_id=F("rm_owner"), since=F(rule.since), remind_id=remind
    )


def awaiting_q(user: User) -> Q:
    """Releases awaiting at least one sign-off from this user: the inbox's releases."""
    sql, params = SignOffQueue(user).sql()
    if not sql:
        return Q(pk__in=[])
    return Q(pk__in=RawSQL(f"SELECT id FROM ({sql}) awaiting", params))  # noqa: S608, S611


@dataclass(frozen=True)
class ReleaseFilters:
    scenario: int | None = None
    status: str = ""
    awaiting: bool = False


def release_list(user: User, filters: ReleaseFilters | None = None) -> QuerySet[Release]:
    """The list page and API list: visible releases, newest first, filtered."""
    filters = filters or ReleaseFilters()
    qs = visible_releases(user)
    if filters.scenario:
        qs = qs.filter(scenario_id=filters.scenario)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.awaiting:
        qs = qs.filter(awaiting_q(user))
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class InboxItem:
    release: Release
    kind: str
    since: dt.datetime | None

    @property
    def kind_label(self) -> str:
        return str(SignOff.Kind(self.kind).label)

    @property
    def waiting(self) -> dt.timedelta | None:
        return timezone.now() - self.since if self.since else None

    # The inbox shows the time twice per row (portal.core.dates, not `|date`); the page says UTC.
    @property
    def since_iso(self) -> str:
        return dates.iso(self.since, utc=True)

    @property
    def since_minute(self) -> str:
        return dates.formatted(self.since, "Y-m-d H:i", utc=True)


INBOX_PAGE_SIZE = 25
# Past this many the inbox says "more than 250": each page counts by reading up to this many
# rows (an exact count would read every row owed), and past a few hundred sign-offs the exact
# figure changes nothing anyone does.
INBOX_COUNT_BOUND = 250
# What an inbox row shows, read in the page's query: the release, its scenario's name, its author.
INBOX_ROW_SQL = """
SELECT r.id, r.title, r.model_name, r.model_version, r.change_type, r.submitted_at,
       r.approved_at, r.scenario_id, r.author_id, s.name AS scenario_name,
       u.username AS author_username, u.first_name AS author_first_name,
       u.last_name AS author_last_name, page.kind_rank, page.total
  FROM (SELECT id, since, kind_rank, COUNT(*) OVER () AS total FROM ({owed}) owed
         ORDER BY since NULLS LAST, id, kind_rank LIMIT %s OFFSET %s) page
  JOIN {releases} r ON r.id = page.id
  JOIN {scenarios} s ON s.id = r.scenario_id
  JOIN {users} u ON u.id = r.author_id
 ORDER BY page.since NULLS LAST, page.id, page.kind_rank
"""


class InboxColumns(TypedDict):
    """What an `INBOX_ROW_SQL` row carries beside the release's own columns."""

    scenario_name: str
    author_username: str
    author_first_name: str
    author_last_name: str
    kind_rank: int
    total: int


if TYPE_CHECKING:
    InboxRow: TypeAlias = WithAnnotations[Release, InboxColumns]

TABLES = {
    "releases": Release._meta.db_table,
    "scenarios": Scenario._meta.db_table,
    "users": User._meta.db_table,
}


DUE_COLUMNS = ("id", "since", "owner_id", "kept_owner_id", "current_owner_id")


@functools.cache
def _due_sql(kind: SignOff.Kind) -> tuple[str, tuple[Any, ...]]:
    """`due_signoffs(kind)` as SQL, compiled once per process: it holds no per-request value.
    With the owner kept at submit and the scenario's current one as columns of their own, which
    `SignOffQueue` filters on: each has an index, their COALESCE (`owner_id`) has none."""
    rule = SIGNOFF_RULES[kind]
    due = due_signoffs(kind).annotate(
        kept_owner_id=F(f"submitted_{rule.owner_id}"),
        current_owner_id=F(f"scenario__{rule.owner_id}"),
    )
    return due.order_by().values(*DUE_COLUMNS).query.sql_with_params()


# The owner a sign-off is owed by, as two conditions an index serves: kept at submit, or (none
# kept) the scenario's current one. Together they are `owner_id = %s`, which no index serves.
_OWED_BY = ("d.kept_owner_id = %s", "d.kept_owner_id IS NULL AND d.current_owner_id = %s")


def _inbox_item(row: InboxRow) -> InboxItem:
    """An `INBOX_ROW_SQL` row as an item: the release with its scenario and author attached, as
    `select_related` with `only` would load them."""
    db = row._state.db
    row.scenario = Scenario.from_db(db, ["id", "name"], [row.scenario_id, row.scenario_name])
    row.author = User.from_db(
        db,
        ["id", "username", "first_name", "last_name"],
        [row.author_id, row.author_username, row.author_first_name, row.author_last_name],
    )
    kind = list(SIGNOFF_RULES)[row.kind_rank]
    return InboxItem(row, kind, getattr(row, SIGNOFF_RULES[kind].since))


# One flag per kind: is this user named for it on any scenario, or was on a release at submit?
NAMED_SQL = "SELECT " + ", ".join(  # noqa: S608
    f"(EXISTS (SELECT 1 FROM {Scenario._meta.db_table} WHERE {rule.owner_id} = %s)"  # noqa: S608
    f" OR EXISTS (SELECT 1 FROM {Release._meta.db_table} WHERE submitted_{rule.owner_id} = %s))"
    for rule in SIGNOFF_RULES.values()
)


class SignOffQueue:
    """The sign-offs one user owes, oldest first (a tie in the order of `SIGNOFF_RULES`), as a
    sequence a paginator slices.

    Each kind is its own query, walked in the order of a partial index on its waiting-since
    time and stopping at the slice's end; a slice is their UNION ALL. So a page reads about a
    page of rows per kind however many sign-offs wait, and its SQL is compiled once, not per
    request (the user is a parameter)."""

    def __init__(self, user: User, kinds: Iterable[str] = tuple(SIGNOFF_RULES)) -> None:
        self.user = user
        self.kinds = set(kinds) if signed_in(user) else set()

    @classmethod
    def of(cls, user: User) -> SignOffQueue:
        """The queue over only the kinds this user is named for on some scenario: a part for
        any other kind would read nothing, yet costs the planner as much as the others."""
        if not signed_in(user):
            return cls(user, ())
        with connection.cursor() as cursor:
            cursor.execute(NAMED_SQL, [user.pk] * 2 * len(SIGNOFF_RULES))
            named = cursor.fetchone()
        return cls(
            user, [kind for kind, is_named in zip(SIGNOFF_RULES, named, strict=True) if is_named]
        )

    def sql(self, stop: int | None = None) -> tuple[str, list[Any]]:
        """Rows (id, since, kind_rank), each kind cut at `stop`; "" if this user signs nothing."""
        parts, params = [], []
        for rank, kind in enumerate(SIGNOFF_RULES):
            if kind not in self.kinds:
                continue
            due, due_params = _due_sql(kind)
            cut = "" if stop is None else " ORDER BY d.since NULLS LAST, d.id LIMIT %s"
            for branch, owed_by in enumerate(_OWED_BY):
                parts.append(
                    # Only compiled ORM SQL and constants are spliced in; values are parameters.
                    f"SELECT * FROM (SELECT d.id, d.since, {rank} AS kind_rank FROM ({due}) d"  # noqa: S608
                    f" WHERE {owed_by}{cut}) owed_{rank}_{branch}"
                )
                params += [*due_params, self.user.pk, *([] if stop is None else [stop])]
        return " UNION ALL ".join(parts), params

    def count(self, limit: int | None = None) -> int:
        """How many, counting no further than `limit`."""
        sql, params = self.sql(limit)
        if not sql:
            return 0
        if limit is not None:
            sql, params = f"{sql} LIMIT %s", [*params, limit]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) owed", params)  # noqa: S608
            return int(cursor.fetchone()[0])

    def window(self, start: int, stop: int, cut: int | None) -> tuple[list[InboxItem], int]:
        """Rows `start` to `stop`, and how many rows there are when each kind is cut at `cut`
        (at least `stop`; None: not cut, an exact count): the page and the count in one query.
        The count is 0 when the window starts past the end."""
        sql, params = self.sql(None if cut is None else max(cut, stop))
        if not sql:
            return [], 0
        rows = cast(
            "list[InboxRow]",
            list(
                Release.objects.raw(
                    INBOX_ROW_SQL.format(owed=sql, **TABLES), [*params, stop - start, start]
                )
            ),
        )
        return [_inbox_item(row) for row in rows], rows[0].total if rows else 0

    def __getitem__(self, window: slice) -> list[InboxItem]:
        start, stop = window.start or 0, window.stop
        if stop is None or stop <= start:
            raise IndexError("The sign-off queue is read one bounded slice at a time.")
        return self.window(start, stop, stop)[0]


class _QueuePaginator(BoundedPaginator):
    """Reads the asked-for page with the bounded count in one query; only a page past the end
    costs a separate count (then it shows the last page, as `get_page` does)."""

    @cached_property
    def count(self) -> int:
        return self.bounded(cast(SignOffQueue, self.object_list).count(self.limit))

    def get_page(self, number: Any) -> Page:
        wanted = page_number(number)
        start = (wanted - 1) * self.per_page
        queue = cast(SignOffQueue, self.object_list)
        items, total = queue.window(start, start + self.per_page, self.limit)
        if not items and wanted > 1:
            return super().get_page(number)
        self.count = self.bounded(total)
        return Page(items, wanted, self)


def sign_off_inbox_page(user: User, number: Any) -> tuple[Page, list[InboxItem]]:
    """One page of the inbox: one row per sign-off this user owes, oldest first; the count is
    exact up to a bound (see `BoundedPaginator`)."""
    paginator = _QueuePaginator(
        SignOffQueue.of(user), INBOX_PAGE_SIZE, number=number, bound=INBOX_COUNT_BOUND
    )
    page = paginator.get_page(number)
    return page, list(page.object_list)


def work_for(user: User) -> dict[str, Any]:
    """The home page cards: sign-offs owed and own releases to revise."""
    if not getattr(user, "is_authenticated", False):
        return {}
    # Each kind cut past the bound: a total over the bound means more than the bound waits.
    owed, count = SignOffQueue.of(user).window(0, WORK_CARD_ITEMS, WORK_CARD_COUNT_BOUND + 1)
    work = {
        "release_signoffs": work_card(
            _("Release sign-offs waiting for you"),
            "/releases/sign-offs/",
            [item.release for item in owed],
            count,
            describe=lambda release: f"{release} ({release.scenario})",
        )
    }
    rejected = Release.objects.filter(author=user, status=Release.Status.REJECTED)
    card = queryset_card(
        _("Your rejected releases to revise"),
        "/releases/?status=rejected",
        rejected.select_related("scenario").order_by("-id"),
        describe=lambda release: f"{release} ({release.scenario})",
    )
    if card["count"]:
        work["releases_to_revise"] = card
    return work


# The scenario page's releases panel: its newest releases, and a link to the list for the rest.
SCENARIO_RELEASES_SHOWN = 10
SCENARIO_PANEL_COLUMNS = (
    "title", "change_type", "model_name", "model_version", "prompt_family", "prompt_version",
    "runtime", "runtime_version", "status", "fast_path", "eval_score", "submitted_eval_threshold",
    "scenario_id", "created_at", "released_at",
)  # fmt: skip


def scenario_panel(scenario: Scenario, user: User) -> dict[str, Any]:
    """The scenario page's releases panel (found by scenarios.views through `app_selectors`):
    the newest releases this user may see, each with the eval gate's verdict on its own
    results, and how many there are; one query whatever the number of releases."""
    releases = visible_releases(user).select_related(None).filter(scenario=scenario)
    rows: list[Any] = list(
        releases.only(*SCENARIO_PANEL_COLUMNS)
        .annotate(total=Window(Count("pk")))
        .order_by("-created_at", "-id")[:SCENARIO_RELEASES_SHOWN]
    )
    for release in rows:
        release.scenario = scenario  # the threshold in force falls back on it: no query a row
    return {
        "template": "releases/_scenario_panel.html",
        "anchor": "scenario-releases",
        "title": _("Releases"),
        "scenario": scenario,
        "rows": [{"release": r, "gate": gates.eval_outcome(r)} for r in rows],
        "total": rows[0].total if rows else 0,
    }


# The release page
def current_release_for(release: Release) -> Release | None:
    """What this release changes against: the one it replaced, or else the release its alias
    serves now (`alias_release_pk`, see `get_release_for`), or else the scenario's latest."""
    if release.status in (
        Release.Status.RELEASED,
        Release.Status.SUPERSEDED,
        Release.Status.ROLLED_BACK,
    ):
        return release.previous_release
    serving = getattr(release, "alias_release_pk", None)
    if serving is not None:
        return Release.objects.filter(pk=serving).first()
    return (
        Release.objects.filter(scenario=release.scenario, status=Release.Status.RELEASED)
        .exclude(pk=release.pk)
        .order_by("-released_at")
        .first()
    )


DIFF_ROWS = (
    (gettext_lazy("Change type"), lambda r: r.get_change_type_display()),
    (gettext_lazy("Model"), lambda r: f"{r.model_name} {r.model_version}".strip()),
    (gettext_lazy("Model alias"), lambda r: r.alias_name),
    (gettext_lazy("Prompt"), lambda r: f"{r.prompt_family} {r.prompt_version}".strip()),
    (gettext_lazy("Runtime"), lambda r: f"{r.runtime} {r.runtime_version}".strip()),
    (gettext_lazy("Tool changes"), lambda r: r.tool_changes),
)


def release_diff(release: Release, current: Release | None) -> list[dict[str, Any]]:
    """Side-by-side rows: the current released value and this release's value."""
    rows = []
    for label, value in DIFF_ROWS:
        new = value(release)
        old = value(current) if current is not None else ""
        rows.append({"label": label, "old": old, "new": new, "changed": old != new})
    return rows


@dataclass
class SignOffSlot:
    """One kind of sign-off on the release page: who owes it, what was given, what you may do."""

    kind: str
    label: str
    owner: User | None
    given: SignOff | None = None
    latest: SignOff | None = None
    due: bool = False
    can_sign: bool = False
    as_delegate: bool = False
    can_approve: bool = False
    blocked_reason: str = ""
    not_needed: bool = False
    # Why an approval must say why (`gates.approval_problems`); empty: a comment is optional.
    approval_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SinceSubmit:
    """How the scenario's owners and eval threshold differ now from those the release was
    submitted under (and so is signed under): one "role Then (now: Now)" part per change."""

    submitted_at: dt.datetime | None
    changes: list[str]

    @property
    def message(self) -> str:
        day = timezone.localtime(self.submitted_at).date().isoformat() if self.submitted_at else ""
        return _(
            "Signed under the owners and threshold in force at submission (%(day)s): %(changes)s"
        ) % {"day": day, "changes": "; ".join(self.changes)}


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else _("nobody")


def since_submit(release: Release) -> SinceSubmit | None:
    """What changed on the scenario since this release's submit, or None when nothing did (or
    it kept nothing: a draft, or submitted before owners were kept). The people are attached."""
    scenario, changes = release.scenario, []
    for owner in SNAPSHOT_OWNERS:
        kept = getattr(release, f"submitted_{owner}_id")
        if kept is not None and kept != getattr(scenario, f"{owner}_id"):
            then, now = getattr(release, f"submitted_{owner}"), getattr(scenario, owner)
            role = str(RACI_LABELS[owner]).lower()
            changes.append(
                _("%(role)s %(then)s (now: %(now)s)")
                % {"role": role, "then": _person(then), "now": _person(now)}
            )
    kept_threshold = release.submitted_eval_threshold
    if kept_threshold is not None and kept_threshold != scenario.eval_threshold:
        now_threshold = scenario.eval_threshold
        changes.append(
            _("eval threshold %(then)s (now: %(now)s)")
            % {
                "then": kept_threshold,
                "now": _("none set") if now_threshold is None else now_threshold,
            }
        )
    return SinceSubmit(release.submitted_at, changes) if changes else None


def signoff_slots(
    release: Release, user: User, signoffs: list[SignOff], gate: Any, fast_path: bool
) -> list[SignOffSlot]:
    """The sign-off panel: one slot per kind, with the buttons this user may press."""
    slots = []
    for kind, rule in SIGNOFF_RULES.items():
        current = [s for s in signoffs if s.kind == kind and s.revision == release.revision]
        given = next((s for s in current if s.decision == SignOff.Decision.APPROVE), None)
        slot = SignOffSlot(
            kind=kind,
            label=rule.label,
            owner=rule.signer(release),
            given=given,
            latest=current[-1] if current else None,
            not_needed=kind == SignOff.Kind.PLATFORM_ROLLOUT and fast_path,
        )
        slot.due = release.status == rule.state and given is None
        if slot.due:
            slot.can_sign = policies.can_sign(user, release, kind)
            slot.as_delegate = policies.can_sign_as_delegate(user, release, kind)
            slot.can_approve = slot.can_sign or slot.as_delegate
            slot.approval_problems = gates.approval_problems(release, kind)
            if kind == SignOff.Kind.QUALITY and not gate.allows_approval:
                slot.can_approve = False
                slot.blocked_reason = gate.message
        slots.append(slot)
    return slots


def release_actions(release: Release, user: User) -> list[Action]:
    """The buttons: what django-fsm allows this user, its guards included (in the reader's
    language: the catalogue's labels are lazy)."""
    return available_actions(release, user, ACTIONS)


def signoffs_shown() -> QuerySet[SignOff]:
    """Sign-offs as the API shows them: every revision, oldest first, with their actors."""
    return SignOff.objects.select_related("actor").order_by("created_at", "id")


def release_page(release: Release, user: User) -> dict[str, Any]:
    """Everything the release page shows, in a fixed number of queries."""
    # Few sign-offs rely on an exception: a second query only when one does, not a join always.
    signoffs = list(release.signoffs.prefetch_related("exception").order_by("created_at", "id"))
    # Everyone the page names, in one query rather than a join per person.
    attach_people(
        ([release.scenario], [rule.owner for rule in SIGNOFF_RULES.values()]),
        ([release], ["author", *(f"submitted_{owner}" for owner in SNAPSHOT_OWNERS)]),
        (signoffs, ["actor"]),
    )
    gate = gates.eval_gate(release)
    fast_path = release.fast_path or (
        release.status == SIGNOFF_RULES[SignOff.Kind.PLATFORM_ROLLOUT].state
        and gates.fast_path_eligible(release, ReleasePolicy.in_force())
    )
    missing = gates.missing_rollout_signoffs(release)
    current = current_release_for(release)
    return {
        "release": release,
        "scenario": release.scenario,
        "gate": gate,
        "evidence": evidence.evidence_of(release),
        "cost": gates.cost_check(release),
        "fast_path": fast_path,
        "current": current,
        "diff": release_diff(release, current),
        "slots": signoff_slots(release, user, signoffs, gate, fast_path),
        "signoffs": signoffs,
        "missing_rollout": [SignOff.Kind(k).label for k in missing],
        "actions": release_actions(release, user),
        "entries": list(history_for(release)),
        "can_edit": policies.can_edit(user, release),
        # A sign-off owed by someone who left: the page says so (and whom it reminds instead).
        "vacancies": open_vacancies(
            release,
            scenario=release.scenario,
            roles=[rule.owner for rule in SIGNOFF_RULES.values()],
        ),
        "request_bypass_url": _request_bypass_url(release, user, gate),
        "since_submit": since_submit(release),
    }


def _request_bypass_url(release: Release, user: User, gate: Any) -> str:
    """Where a product owner of the team asks for an eval gate bypass of this very release, when
    the gate blocks its quality approval; "" when that is not theirs to ask or not needed."""
    if gate.allows_approval or release.status not in Release.EVAL_BYPASS_STATES:
        return ""
    if not exception_policies.can_request_exception(user, release.scenario):
        return ""
    return f"{reverse('exceptions:request')}?{urlencode({'release': release.pk})}"


# Model aliases
def alias_list() -> QuerySet[ModelAlias]:
    return ModelAlias.objects.select_related(
        "scenario", "scenario__team", "current_release"
    ).order_by("name")


def alias_moves(alias: ModelAlias) -> QuerySet[AliasMove]:
    """The alias's history, newest first."""
    return alias.moves.select_related("release", "moved_by").order_by("-started_at", "-id")


def get_alias(pk: Any) -> ModelAlias:
    try:
        return alias_list().get(pk=pk)
    except (ModelAlias.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such model alias.")) from exc


def scenarios_for_filter(user: User) -> QuerySet[Scenario]:
    """Scenarios that can have releases, for the list filter and the create form."""
    return Scenario.objects.filter(
        status__in=(*Scenario.LIVE_STATES, Scenario.Status.RETIRED)
    ).order_by("name")


def creatable_scenarios(user: User) -> QuerySet[Scenario]:
    """Scenarios this user may draft a release for (`policies.draftable_scenarios`), by name."""
    return policies.draftable_scenarios(user).order_by("name")
