"""Every write to scenarios, their reviews and the tool registry. The only writer.

State changes go through `portal.core.transitions.perform` (lock, state and permission check,
audit row); emails are queued with `send_templated` inside the transaction and leave after it
commits, so a refused or rolled-back transition sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core import roles
from portal.core.errors import TransitionConflict
from portal.core.models import Team, User
from portal.core.notifications import absolute_url, send_templated
from portal.core.selectors import people_with_role
from portal.core.transitions import delegated, lock, perform, record_change, record_creation
from scenarios import checklist, policies, vacancies
from scenarios.models import EscalationStep, Scenario, ScenarioReview, Tool, Vacancy

DECISIONS: dict[str, str] = {
    ScenarioReview.Decision.APPROVE: "approve",
    ScenarioReview.Decision.REQUEST_CHANGES: "request_changes",
    ScenarioReview.Decision.REJECT: "reject",
}


# Intake: create and edit ------------------------------------------------------------------


def scenario_create(
    *,
    actor: User,
    team: Team,
    data: dict[str, Any],
    tools: Iterable[Any] | None = None,
    escalation: Iterable[Any] | None = None,
) -> Scenario:
    """Open a draft intake for a product team; a partial draft is fine, invalid values are not."""
    # The audit trail gets a `create` row so the timeline starts with who opened the intake;
    # later edits of a draft are not transitions and leave no row.
    if not policies.can_create(actor, team):
        raise PermissionDenied(_("You may not open a scenario intake for this team."))
    scenario = Scenario(team=team, created_by=actor)
    _apply(scenario, data)
    picked_tools, people = validate_intake(scenario, tools or [], escalation or [])
    with transaction.atomic():
        scenario.save()
        save_relations(scenario, picked_tools, people)
        record_creation(scenario, actor=actor, target=scenario.status)
    return scenario


def scenario_update(
    pk: Any,
    *,
    actor: User,
    data: dict[str, Any],
    tools: Iterable[Any] | None = None,
    escalation: Iterable[Any] | None = None,
) -> Scenario:
    """Edit a draft or a scenario sent back for changes; `None` leaves tools/escalation as is."""
    with transaction.atomic():
        scenario = lock(Scenario, pk)
        if not policies.can_change_intake(actor, scenario):
            raise PermissionDenied(_("You may not edit this scenario."))
        if not scenario.is_editable:
            raise TransitionConflict(
                _(
                    "This scenario is %(state)s: only drafts and scenarios with changes requested "
                    "can be edited."
                )
                % {"state": scenario.get_status_display().lower()},
                code="invalid_state",
            )
        _apply(scenario, data)
        current_tools = list(scenario.allowed_tools.all()) if tools is None else tools
        current_people = (
            [s.person for s in scenario.escalation_steps.all()]
            if escalation is None
            else escalation
        )
        picked_tools, people = validate_intake(scenario, current_tools, current_people)
        scenario.save()
        save_relations(
            scenario,
            picked_tools if tools is not None else None,
            people if escalation is not None else None,
        )
        scenario_vacancies_refresh(scenario.pk, actor=actor)
    return scenario


def _apply(scenario: Scenario, data: dict[str, Any]) -> None:
    unknown = set(data) - set(Scenario.INTAKE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be set here.")))
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(scenario, name, value)


def validate_intake(
    scenario: Scenario, tools: Iterable[Any], escalation: Iterable[Any]
) -> tuple[list[Tool], list[User]]:
    """The intake's values checked (an intake edit's, an amendment's result): field-level errors
    for every invalid value at once, else the tools and people they name. Saves nothing."""
    errors: dict[str, list[str]] = {}
    exclude = [f.name for f in Scenario._meta.fields if f.name not in Scenario.INTAKE_FIELDS]
    try:
        scenario.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name, message in _role_errors(scenario).items():
        errors.setdefault(name, []).append(message)
    picked_tools = _resolve_tools(tools, errors)
    people = _resolve_escalation(escalation, errors)
    if errors:
        raise ValidationError(errors)
    return picked_tools, people


def _role_errors(scenario: Scenario) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in Scenario.RACI_FIELDS:
        person = getattr(scenario, name)
        if person is not None and not person.is_active:
            errors[name] = _("%(person)s is no longer active.") % {"person": person}
    po = scenario.product_owner
    # The policies' own tests of who may hold the role (an inactive person is named above).
    if (
        po is not None
        and "product_owner" not in errors
        and not policies.is_team_product_owner(po, scenario)
    ):
        errors["product_owner"] = _("%(person)s is not a product owner of %(team)s.") % {
            "person": po,
            "team": scenario.team,
        }
    platform = scenario.platform_owner
    if (
        platform is not None
        and "platform_owner" not in errors
        and not policies.is_platform(platform)
    ):
        errors["platform_owner"] = _("%(person)s is not a platform team member.") % {
            "person": platform
        }
    return errors


def _resolve_tools(tools: Iterable[Any], errors: dict[str, list[str]]) -> list[Tool]:
    ids = [getattr(t, "pk", t) for t in tools]
    found = {tool.pk: tool for tool in Tool.objects.filter(pk__in=ids)}
    unknown = [str(i) for i in ids if i not in found]
    messages = []
    if unknown:
        messages.append(_("Unknown tool: %(tools)s.") % {"tools": ", ".join(unknown)})
    refused = sorted(tool.name for tool in found.values() if not tool.allowed)
    if refused:
        messages.append(
            _("Not allowed by the tool registry: %(tools)s.") % {"tools": ", ".join(refused)}
        )
    if messages:
        errors.setdefault("allowed_tools", []).extend(messages)
    return list(found.values())


def _resolve_escalation(escalation: Iterable[Any], errors: dict[str, list[str]]) -> list[User]:
    ids = [getattr(p, "pk", p) for p in escalation if p not in (None, "")]
    found = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    messages = []
    if len(ids) > Scenario.MAX_ESCALATION_STEPS:
        messages.append(
            _("An escalation path has at most %(count)d people.")
            % {"count": Scenario.MAX_ESCALATION_STEPS}
        )
    seen: set[Any] = set()
    for pk in ids:
        person = found.get(pk)
        if person is None:
            messages.append(_("Unknown person: %(pk)s.") % {"pk": pk})
        elif pk in seen:
            messages.append(
                _("%(person)s appears more than once; each person appears once.")
                % {"person": person}
            )
        elif not person.is_active:
            messages.append(_("%(person)s is no longer active.") % {"person": person})
        seen.add(pk)
    if messages:
        errors.setdefault(checklist.ESCALATION_FIELD, []).extend(dict.fromkeys(messages))
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def save_relations(scenario: Scenario, tools: list[Tool] | None, people: list[User] | None) -> None:
    """Write a scenario's allowed tools and escalation path (`None` leaves one as it is), inside
    the transaction of the write that locked and checked the scenario: an intake edit's, an
    applied amendment's."""
    if tools is not None:
        scenario.allowed_tools.set(tools)
    if people is not None:
        scenario.escalation_steps.all().delete()
        EscalationStep.objects.bulk_create(
            EscalationStep(scenario=scenario, position=position, person=person)
            for position, person in enumerate(people, start=1)
        )


# Transitions --------------------------------------------------------------------------------


def scenario_submit(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Scenario:
    """Submit for architecture review; refused with every missing RACI/contract item named."""

    def complete(scenario: Scenario) -> None:
        missing = checklist.missing_items(scenario)
        if missing:
            raise ValidationError({name: [message] for name, message in missing.items()})

    return perform(
        Scenario,
        pk,
        "submit",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor},
        before=complete,
        after=_notify_submitted,
    )


def scenario_start_review(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Scenario:
    """Take a submitted scenario into architecture review."""
    return perform(
        Scenario,
        pk,
        "start_review",
        actor=actor,
        comment=comment,
        as_delegate=as_delegate,
        kwargs={"by": actor},
    )


def scenario_decide(
    pk: Any,
    *,
    actor: User,
    decision: str,
    comment: str,
    answers: dict[str, Any],
    as_delegate: bool = False,
) -> ScenarioReview:
    """Approve, request changes or reject, with a comment and every checklist item answered."""
    # Any eligible platform reviewer may decide, not only the one who started the review, so a
    # review never waits on one person; two deciding at once get one decision and one conflict.
    answers = _clean_decision(decision, comment, answers)
    made: list[ScenarioReview] = []

    def record(scenario: Scenario) -> None:
        review = ScenarioReview.objects.create(
            scenario=scenario,
            reviewer=actor,
            decision=decision,
            comment=comment.strip(),
            checklist=answers,
            as_delegate=as_delegate and not policies.can_review(actor, scenario),
        )
        made.append(review)
        _notify_decided(scenario, review)

    perform(
        Scenario,
        pk,
        DECISIONS[decision],
        actor=actor,
        comment=comment.strip(),
        as_delegate=as_delegate,
        after=record,
    )
    return made[0]


def _clean_decision(decision: str, comment: str, answers: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(DECISIONS)}]
    if not (comment or "").strip():
        errors["comment"] = [_("A decision needs a comment.")]
    cleaned: dict[str, Any] = {}
    problems = []
    for key in checklist.ITEM_KEYS:
        answer = (answers or {}).get(key)
        if not isinstance(answer, dict) or not isinstance(answer.get("passed"), bool):
            problems.append(
                _("Answer “%(item)s” with pass or fail.") % {"item": checklist.ITEM_LABELS[key]}
            )
            continue
        cleaned[key] = {"passed": answer["passed"], "note": str(answer.get("note") or "").strip()}
    unknown = sorted(set(answers or {}) - set(checklist.ITEM_KEYS))
    if unknown:
        problems.append(_("Unknown checklist items: %(items)s.") % {"items": ", ".join(unknown)})
    # An approval with a failed item would contradict the record it leaves behind: the
    # reviewer requests changes (or overrides the item with a note saying why it passes).
    failed = [checklist.ITEM_LABELS[k] for k, a in cleaned.items() if not a["passed"]]
    if decision == ScenarioReview.Decision.APPROVE and failed and not problems:
        problems.append(
            _(
                "An approval needs every checklist item to pass; request changes instead. "
                "Failed: %(items)s."
            )
            % {"items": "; ".join(str(item) for item in failed)}
        )
    if problems:
        errors["checklist"] = problems
    if errors:
        raise ValidationError(errors)
    return cleaned


def scenario_onboard(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Scenario:
    """Mark an approved scenario live; the time feeds the onboarding-time metric."""
    return perform(Scenario, pk, "onboard", actor=actor, comment=comment, as_delegate=as_delegate)


def scenario_retire(
    pk: Any, *, actor: User, comment: str = "", as_delegate: bool = False
) -> Scenario:
    """Retire an onboarded scenario."""
    return perform(Scenario, pk, "retire", actor=actor, comment=comment, as_delegate=as_delegate)


def _notify_submitted(scenario: Scenario) -> None:
    platform = people_with_role(roles.PLATFORM_REVIEWER)
    reviewers = [person for person in platform if policies.can_review(person, scenario)]
    send_templated(
        "scenario_submitted",
        reviewers,
        {
            "scenario": scenario,
            "submitter": scenario.submitted_by,
            "url": absolute_url(f"{scenario.get_absolute_url()}review/"),
        },
        about=scenario,
    )


def _notify_decided(scenario: Scenario, review: ScenarioReview) -> None:
    send_templated(
        "scenario_decided",
        [scenario.product_owner, scenario.submitted_by],
        {
            "scenario": scenario,
            "review": review,
            "url": absolute_url(scenario.get_absolute_url()),
            "edit_url": absolute_url(f"{scenario.get_absolute_url()}edit/"),
        },
        about=scenario,
    )


def scenario_disable_tool(
    pk: Any,
    *,
    actor: User,
    tool: Tool,
    reason: str,
    responders: Iterable[int] = (),
    as_delegate: bool = False,
) -> Scenario:
    """Take a tool out of a scenario's tool policy (an incident's rollback, whose owners are the
    `responders`); audited on the scenario. Refuses a tool the scenario does not allow."""
    with transaction.atomic():
        scenario = lock(Scenario, pk)
        as_someone_else = delegated(
            policies.can_disable_tool(actor, scenario, responders),
            actor,
            as_delegate=as_delegate,
            message=_("Only the platform and the incident's owners take a tool out of the policy."),
        )
        if not scenario.allowed_tools.filter(pk=tool.pk).exists():
            raise TransitionConflict(
                _("Nothing to roll back: %(tool)s is not an allowed tool of “%(scenario)s”.")
                % {"tool": tool, "scenario": scenario},
                code="nothing_to_roll_back",
            )
        scenario.allowed_tools.remove(tool)
        record_change(
            scenario,
            action="tool_disabled",
            source=scenario.status,
            actor=actor,
            comment=f"Tool {tool} removed from the allowed tools: {reason}",
            as_delegate=as_someone_else,
        )
    return scenario


# Vacancies ----------------------------------------------------------------------------------


def vacancies_open_for(person_pk: Any, *, actor: User | None, via: str) -> list[Vacancy]:
    """Make every place that names a person who has left a vacancy (one audit row each), and
    email each scenario's product and platform owners once about its new vacancies. A place
    already vacant stays as it is, so a repeated call opens nothing twice."""
    with transaction.atomic():
        person = lock(User, person_pk)
        if person.is_active:
            raise ValidationError(
                _("%(person)s is active: their places are not vacant.") % {"person": person}
            )
        left_at = timezone.now()
        opened: list[Vacancy] = []
        for declaration in vacancies.declarations():
            for place in declaration.naming(person.pk):
                vacancy = _vacancy_open(place, person, left_at, actor=actor, via=via)
                if vacancy is not None:
                    opened.append(vacancy)
        by_scenario: dict[int, list[Vacancy]] = {}
        for vacancy in opened:
            by_scenario.setdefault(vacancy.scenario_id, []).append(vacancy)
        for scenario in Scenario.objects.filter(pk__in=by_scenario).select_related(
            "team", "product_owner", "platform_owner"
        ):
            _notify_vacancies(scenario, by_scenario[scenario.pk])
    return opened


def _vacancy_open(
    place: vacancies.Place, person: User, left_at: Any, *, actor: User | None, via: str
) -> Vacancy | None:
    content_type = ContentType.objects.get_for_model(place.obj)
    where = {"content_type": content_type, "object_id": place.obj.pk, "place": place.place}
    if Vacancy.objects.open().filter(**where).exists():
        return None
    vacancy = Vacancy.objects.create(
        scenario_id=place.scenario_id,
        kind=place.kind,
        label=place.label[:200],
        person=person,
        left_at=left_at,
        **where,
    )
    record_creation(
        vacancy, actor=actor, target=Vacancy.Status.OPEN, comment=f"{person} left ({via})."
    )
    return vacancy


def vacancy_recipients(scenario: Scenario) -> list[User]:
    """Who is told about, and reminded of, a scenario's vacancies: its product and platform
    owners who are still active, else the platform team."""
    owners = [p for p in (scenario.product_owner, scenario.platform_owner) if p and p.is_active]
    if owners:
        return owners
    return list(people_with_role(roles.PLATFORM_REVIEWER))


def _notify_vacancies(scenario: Scenario, opened: list[Vacancy]) -> None:
    send_templated(
        "vacancy_opened",
        vacancy_recipients(scenario),
        {
            "scenario": scenario,
            "vacancies": opened,
            "url": absolute_url(scenario.get_absolute_url()),
        },
        about=scenario,
    )


def scenario_vacancies_refresh(scenario_pk: Any, *, actor: User | None) -> list[Vacancy]:
    """Close the scenario's open vacancies whose place now names an active person (filled) or
    no longer waits for anyone (lapsed), one audit row each; returns those closed. Called after
    every write that may name someone new in a place: a hand-over amendment, a draft edit, an
    incident hand-over, a person's reactivation."""
    closed = []
    with transaction.atomic():
        for vacancy in Vacancy.objects.open().filter(scenario_id=scenario_pk):
            holder = _holder(vacancy)
            if not holder.waits:
                closed.append(
                    perform(
                        Vacancy, vacancy.pk, "lapse", actor=actor,
                        comment=f"The {vacancy.label} no longer waits for anyone.",
                    )
                )  # fmt: skip
                continue
            person = User.objects.filter(pk=holder.person_id or 0, is_active=True).first()
            if person is not None:
                closed.append(
                    perform(
                        Vacancy, vacancy.pk, "fill", actor=actor, kwargs={"by": person},
                        comment=f"The {vacancy.label} is now {person}.",
                    )
                )  # fmt: skip
    return closed


def _holder(vacancy: Vacancy) -> vacancies.Holder:
    model = vacancy.content_type.model_class()
    declaration = vacancies.for_model(model) if model is not None else None
    if model is None or declaration is None:
        return vacancies.GONE
    obj = model._default_manager.filter(pk=vacancy.object_id).first()
    return vacancies.GONE if obj is None else declaration.holder(obj, vacancy.place)


def scenario_edit_minor(pk: Any, *, actor: User, data: dict[str, Any]) -> Scenario:
    """Edit a live scenario's minor fields (`Scenario.MINOR_FIELDS`) directly: no review, one
    audit row with before and after of each changed field. Governed fields need an amendment."""
    refused = sorted(set(data) - set(Scenario.MINOR_FIELDS))
    if refused:
        raise ValidationError(
            dict.fromkeys(refused, _("Change this field through an amendment of the scenario."))
        )
    with transaction.atomic():
        scenario = lock(Scenario, pk)
        if not policies.can_change_intake(actor, scenario):
            raise PermissionDenied(_("You may not edit this scenario."))
        if not scenario.is_live:
            raise TransitionConflict(
                _("Only an approved or onboarded scenario is edited this way; edit the intake."),
                code="invalid_state",
            )
        before = {name: getattr(scenario, name) for name in data}
        _apply(scenario, data)
        exclude = [f.name for f in Scenario._meta.fields if f.name not in data]
        scenario.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        changed = [name for name in data if getattr(scenario, name) != before[name]]
        if not changed:
            return scenario
        scenario.save(update_fields=[*changed, "updated_at"])
        record_change(
            scenario,
            action="minor_edit",
            source=scenario.status,
            actor=actor,
            comment="; ".join(
                f"{name.replace('_', ' ').capitalize()}: {_shown(before[name])} → "
                f"{_shown(getattr(scenario, name))}"
                for name in changed
            ),
        )
    return scenario


def _shown(value: Any) -> str:
    return "—" if value in (None, "") else str(value)
