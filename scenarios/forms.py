"""Forms of the scenario pages. Forms parse and label input; the services decide and write."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.core import long_choices
from portal.core.long_choices import PersonChoiceField
from portal.core.models import User
from scenarios import checklist, policies, selectors
from scenarios.models import Hosting, Route, Scenario, ScenarioTemplate, Tool

ESCALATION_LEVELS = 5
ESCALATION_FIELDS = tuple(f"escalation_{n}" for n in range(1, ESCALATION_LEVELS + 1))
# The form field that fixes an item keyed otherwise by the service and the checklist.
FIELD_OF = {checklist.ESCALATION_FIELD: ESCALATION_FIELDS[0]}


@dataclass(frozen=True)
class Fieldset:
    key: str
    legend: str | Promise
    fields: tuple[str, ...]
    help: str | Promise = ""


# Other intake sources (templates) prefill through `initial`.
FIELDSETS: tuple[Fieldset, ...] = (
    Fieldset(
        "basics",
        _("Basics"),
        ("name", "team", "description", "expected_volume", "risk_level", "data_classification"),
        _("What the scenario does, for whom, and how sensitive its data is."),
    ),
    Fieldset(
        "eval",
        _("Success criterion and eval"),
        ("success_criterion", "eval_dataset", "eval_threshold"),
        _("What “good” means, how it is measured, and the score a release must reach."),
    ),
    Fieldset(
        "route",
        _("Route policy"),
        ("primary_route", "human_review", "fallback", "fallback_alias"),
        _("How requests are served, who checks answers, and what happens when the model fails."),
    ),
    Fieldset(
        "context",
        _("Context budget"),
        ("context_budget_tokens",),
        _("Tokens per request the route may use."),
    ),
    Fieldset(
        "tools",
        _("Tool policy"),
        ("allowed_tools",),
        _("Only tools the registry allows can be picked."),
    ),
    Fieldset(
        "cache",
        _("Cache strategy"),
        ("prefix_stability", "route_affinity", "cache_hit_slo"),
        _("Stable prompt prefixes and route affinity make the provider cache pay off."),
    ),
    Fieldset(
        "cost", _("Cost"), ("monthly_budget", "target_cost_per_outcome"), _("Budgets in EUR.")
    ),
    Fieldset(
        "hosting",
        _("Hosting"),
        ("hosting", *checklist.SELF_HOSTED_LABELS),
        _(
            "Self-hosting returns what a provider-managed model hides: answer the self-hosted "
            "questions when you pick it."
        ),
    ),
    Fieldset(
        "rollback",
        _("Rollback"),
        ("rollback_plan",),
        _("How a bad prompt, model or tool change is undone."),
    ),
    Fieldset(
        "raci",
        _("RACI"),
        Scenario.RACI_FIELDS,
        _("One named owner per responsibility. One person may hold several."),
    ),
    Fieldset(
        "escalation",
        _("Escalation path"),
        ESCALATION_FIELDS,
        _("Who is called, in order, when the people above do not respond. Each person once."),
    ),
)


@dataclass(frozen=True)
class Section:
    """A part of the intake page: its fieldsets, and an anchor the progress list links to."""

    key: str
    title: str | Promise
    fieldsets: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


SECTIONS: tuple[Section, ...] = (
    Section("basics", _("The scenario"), ("basics",)),
    Section("owners", _("Owners"), ("raci", "escalation")),
    Section("quality-cost", _("Quality and cost"), ("eval", "cost")),
    Section("route-tools", _("Route, tools and cache"), ("route", "context", "tools", "cache")),
    Section("operations", _("Hosting and rollback"), ("hosting", "rollback")),
)


def field_anchor(key: str) -> str:
    """The id of the intake form's control for a field or a missing item's key."""
    return f"id_{FIELD_OF.get(key, key)}"


@dataclass(frozen=True)
class Shown:
    """The scenario as the intake form shows it (unsaved), with its tools and escalation path."""

    scenario: Scenario
    tools: list[Tool]
    escalation: list[Any]


LABELS = {
    "name": pgettext_lazy("object name", "Name"),
    "team": _("Team"),
    **checklist.RACI_LABELS,
    **checklist.CONTRACT_LABELS,
    **checklist.SELF_HOSTED_LABELS,
    "fallback_alias": _("Fallback model alias"),
    "route_affinity": _("Route affinity (pin a conversation to one route for cache hits)"),
    "allowed_tools": _("Allowed tools"),
    "cache_hit_slo": _("Cache hit SLO (%)"),
    "eval_threshold": _("Eval pass threshold (0–100)"),
    "monthly_budget": _("Monthly cost budget"),
}


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def _model_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class ScenarioForm(forms.ModelForm):
    """The intake form. Only `name` (and the team, on create) is needed to save a draft."""

    allowed_tools = forms.ModelMultipleChoiceField(
        queryset=Tool.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=LABELS["allowed_tools"],
    )
    # A new intake opened from a golden-path template records it (see scenarios.golden_paths).
    template = forms.ModelChoiceField(
        queryset=ScenarioTemplate.objects.filter(is_current=True),
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Scenario
        fields = ["team", *(f for f in Scenario.INTAKE_FIELDS if f != "template")]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "success_criterion": forms.Textarea(attrs={"rows": 2}),
            "capacity_plan": forms.Textarea(attrs={"rows": 2}),
            "runtime_upgrade_policy": forms.Textarea(attrs={"rows": 2}),
            "owned_policies": forms.Textarea(attrs={"rows": 2}),
            "release_process": forms.Textarea(attrs={"rows": 2}),
            "owned_slo": forms.Textarea(attrs={"rows": 2}),
            "rollback_plan": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes: ClassVar[dict[str, Any]] = dict.fromkeys(
            Scenario.RACI_FIELDS, PersonChoiceField
        )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        people = _people()
        for position, name in enumerate(ESCALATION_FIELDS, start=1):
            self.fields[name] = PersonChoiceField(
                queryset=people,
                required=False,
                label=gettext("Level %(position)d") % {"position": position},
            )
        # Fifteen selects list the same people: read them once, not once per select.
        rows = long_choices.read(PersonChoiceField, people)
        for name in (*Scenario.RACI_FIELDS, *ESCALATION_FIELDS):
            _model_field(self, name).queryset = people
            long_choices.share(_model_field(self, name), rows)
        _model_field(self, "allowed_tools").queryset = Tool.objects.allowed()
        # What is saved now: the unsaved preview falls back on it for a value the form lacks.
        self.saved_tools: list[Tool] = []
        self.saved_escalation: list[User] = []
        if self.instance.pk:
            del self.fields["team"]
            del self.fields["template"]  # recorded when the intake was opened
            self.saved_escalation = [step.person for step in self.instance.escalation_steps.all()]
            self.saved_tools = list(self.instance.allowed_tools.all())
            for name, person in zip(ESCALATION_FIELDS, self.saved_escalation, strict=False):
                self.initial.setdefault(name, person.pk)
            self.initial.setdefault("allowed_tools", [t.pk for t in self.saved_tools])
        else:
            self._set_defaults(user)
        for name, label in LABELS.items():
            if name in self.fields:
                self.fields[name].label = label

    def _set_defaults(self, user: User) -> None:
        """A new intake starts from what is likely: the person's team when they have exactly one
        they may open intakes for, the person as product owner when they may be one, and the
        platform's provider-managed hosting."""
        teams = selectors.creatable_teams(user)
        team = _model_field(self, "team")
        team.queryset = teams
        own = list(teams.filter(pk__in=policies.team_ids(user)).values_list("pk", flat=True)[:2])
        if len(own) == 1:
            self.initial.setdefault("team", own[0])
            team.empty_label = None
        else:
            team.empty_label = gettext("Choose the team")
        if own and policies.is_team_product_owner(user, Scenario(team_id=own[0])):
            self.initial.setdefault("product_owner", user.pk)
        self.initial.setdefault("hosting", Hosting.MAAS)

    def _post_clean(self) -> None:
        # The service validates the model (and more) with every error at once; validating
        # the instance here as well would report some errors twice.
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[int, str] = {}
        for name in ESCALATION_FIELDS:
            person = data.get(name)
            if person is None:
                continue
            if person.pk in seen:
                self.add_error(
                    name,
                    gettext("%(person)s is already at %(level)s.")
                    % {"person": person, "level": self.fields[seen[person.pk]].label},
                )
            seen.setdefault(person.pk, name)
        return data

    def fieldsets(self) -> list[dict[str, Any]]:
        """Fieldsets with bound fields, for the template."""
        return [
            {
                "key": fieldset.key,
                "legend": fieldset.legend,
                "help": fieldset.help,
                "fields": [self[name] for name in fieldset.fields if name in self.fields],
                "self_hosted": fieldset.key == "hosting",
                "self_hosted_open": fieldset.key == "hosting" and self._self_hosted_open(),
            }
            for fieldset in FIELDSETS
        ]

    def _self_hosted_open(self) -> bool:
        """The self-hosted questions show unfolded when they apply or hold an answer."""
        if "hosting" in self.fields and self["hosting"].value() == Hosting.SELF_HOSTED:
            return True
        names = [name for name in checklist.SELF_HOSTED_LABELS if name in self.fields]
        return any(self[name].value() or self[name].errors for name in names)

    def sections(self) -> list[dict[str, Any]]:
        """The page's sections, each with its fieldsets, its errors, and what it still misses
        before submission: the checklist's rule read on the values the form shows."""
        shown = self.preview()
        missing = checklist.missing_items(
            shown.scenario, tools=shown.tools, escalation=shown.escalation
        )
        by_field = {FIELD_OF.get(key, key): message for key, message in missing.items()}
        fieldsets = {fieldset["key"]: fieldset for fieldset in self.fieldsets()}
        sections = []
        for section in SECTIONS:
            sets = [
                fieldsets[key]
                for key in section.fieldsets
                if key in fieldsets and fieldsets[key]["fields"]
            ]
            if not sets:
                continue
            fields = [field for fieldset in sets for field in fieldset["fields"]]
            gaps = [
                {"anchor": field.auto_id, "message": by_field[field.name]}
                for field in fields
                if field.name in by_field and not field.errors
            ]
            errors = sum(1 for field in fields if field.errors)
            sections.append(
                {
                    "key": section.key,
                    "anchor": section.anchor,
                    "title": section.title,
                    "fieldsets": sets,
                    "missing": gaps,
                    "errors": errors,
                    "complete": not gaps and not errors,
                }
            )
        return sections

    def error_summary(self) -> list[dict[str, Any]]:
        """Every field's errors in the order of the page, each with the id of its field."""
        order = [name for fieldset in FIELDSETS for name in fieldset.fields]
        order += [name for name in self.fields if name not in order]
        return [
            {"anchor": self[name].auto_id, "label": self[name].label, "message": message}
            for name in order
            if name in self.fields and not self[name].is_hidden
            for message in self.errors.get(name, [])
        ]

    def hidden_errors(self) -> list[str]:
        """Errors of hidden fields (the template), shown with the form's own errors."""
        return [
            str(message)
            for name in self.errors
            if name in self.fields and self[name].is_hidden
            for message in self.errors[name]
        ]

    def preview(self) -> Shown:
        """The scenario as the form shows it, unsaved: the saved intake with every value the
        form holds (its initial values, or each submitted value it could read)."""
        scenario = copy.copy(self.instance)
        scenario._state = copy.copy(self.instance._state)
        scenario._state.fields_cache = dict(self.instance._state.fields_cache)
        values = self._values()
        for name in ("team", *Scenario.INTAKE_FIELDS):
            if name == "template" or name not in values:
                continue
            value = values[name]
            field = Scenario._meta.get_field(name)
            if isinstance(field, models.ForeignKey) and not isinstance(value, models.Model | None):
                setattr(scenario, field.attname, value or None)
            else:
                setattr(scenario, name, value)
        if "team" in self.fields and scenario.team_id is None:
            scenario.product_owner = None  # whose product owner cannot be said without a team
        return Shown(scenario, *self._relations())

    def _values(self) -> dict[str, Any]:
        if self.is_bound:
            return {name: value for name, value in self.cleaned_data.items() if name in self.fields}
        return {name: self[name].value() for name in self.fields}

    def _relations(self) -> tuple[list[Tool], list[Any]]:
        if not self.is_bound:
            if self.instance.pk:
                return self.saved_tools, self.saved_escalation
            ids = self["allowed_tools"].value() or []
            picked = list(Tool.objects.filter(pk__in=ids)) if ids else []
            return picked, [pk for pk in (self[n].value() for n in ESCALATION_FIELDS) if pk]
        data = self.cleaned_data
        tools = list(data["allowed_tools"]) if "allowed_tools" in data else self.saved_tools
        return tools, [data[n] for n in ESCALATION_FIELDS if data.get(n)]

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned input as the services take it."""
        data = {
            name: self.cleaned_data[name]
            for name in Scenario.INTAKE_FIELDS
            if name in self.cleaned_data
        }
        escalation = [self.cleaned_data[n] for n in ESCALATION_FIELDS if self.cleaned_data.get(n)]
        return {
            "data": data,
            "tools": list(self.cleaned_data.get("allowed_tools") or []),
            "escalation": escalation,
        }

    def add_service_errors(self, error: ValidationError, *, beside_own: bool = True) -> None:
        """Show the service's field errors beside the fields they belong to; with
        `beside_own=False`, none on a field that already shows the form's own error."""
        add_errors(self, error, aliases=FIELD_OF, beside_own=beside_own)


def add_errors(
    form: forms.BaseForm,
    error: ValidationError,
    aliases: dict[str, str] | None = None,
    *,
    beside_own: bool = True,
) -> None:
    """Attach a service's ValidationError to the form: by field where the form has it."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        if target in form.fields:
            if beside_own or target not in form.errors:
                form.add_error(target, messages)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            form.add_error(
                None,
                [
                    gettext("%(field)s: %(message)s")
                    % {"field": LABELS.get(name, name), "message": m}
                    for m in messages
                ],
            )


PASS_FAIL = [("pass", _("Pass")), ("fail", _("Fail"))]


class ReviewForm(forms.Form):
    """The architecture review checklist (each item pass/fail with a note) and a comment."""

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Decision comment"),
        help_text=_("Sent to the product owner with the decision."),
    )
    as_delegate = forms.BooleanField(
        required=False, label=_("I act as a delegate of the platform reviewer (admins only)")
    )

    def __init__(self, *args: Any, scenario: Scenario, delegate: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.results = checklist.evaluate(scenario)
        for result in self.results:
            self.fields[f"{result.key}_passed"] = forms.ChoiceField(
                choices=PASS_FAIL,
                widget=forms.RadioSelect,
                label=result.label,
                initial="pass" if result.passed else "fail",
            )
            self.fields[f"{result.key}_note"] = forms.CharField(
                required=False,
                label=gettext("Note on “%(item)s”") % {"item": result.label},
                initial="" if result.passed else result.summary,
            )
        if not delegate:
            del self.fields["as_delegate"]

    def items(self) -> list[dict[str, Any]]:
        return [
            {
                "result": result,
                "passed": self[f"{result.key}_passed"],
                "note": self[f"{result.key}_note"],
            }
            for result in self.results
        ]

    def answers(self) -> dict[str, Any]:
        return {
            result.key: {
                "passed": self.cleaned_data[f"{result.key}_passed"] == "pass",
                "note": self.cleaned_data[f"{result.key}_note"],
            }
            for result in self.results
        }

    def add_service_errors(self, error: ValidationError) -> None:
        add_errors(self, error)


class ToolForm(forms.ModelForm):
    class Meta:
        model = Tool
        fields = ["name", "description", "owner", "stability", "allowed"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes: ClassVar[dict[str, Any]] = {"owner": PersonChoiceField}
        labels = {
            "name": pgettext_lazy("object name", "Name"),
            "description": _("Description"),
            "owner": _("Owner"),
            "stability": _("Stability"),
            "allowed": _("Scenarios may pick this tool"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "owner").queryset = _people()

    def _post_clean(self) -> None:
        pass


class ScenarioFilterForm(forms.Form):
    """The list filters (GET). Invalid values are ignored rather than reported."""

    q = forms.CharField(required=False, label=_("Search"))
    status = forms.ChoiceField(
        required=False, choices=[("", _("Any state")), *Scenario.Status.choices], label=_("State")
    )
    team = forms.ChoiceField(required=False, label=_("Team"))
    owner = PersonChoiceField(
        queryset=User.objects.none(), required=False, empty_label=_("Anyone"), label=_("Owner")
    )
    route = forms.ChoiceField(
        required=False, choices=[("", _("Any route")), *Route.choices], label=_("Route")
    )
    hosting = forms.ChoiceField(
        required=False, choices=[("", _("Any hosting")), *Hosting.choices], label=_("Hosting")
    )
    mine = forms.BooleanField(required=False, label=_("My teams and roles only"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = selectors.teams_for_filter()
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            ("", gettext("Any team")),
            *((t.slug, t.name) for t in teams),
        ]
        # A list, read in one query: a queryset would be read through a server-side cursor.
        owner = _model_field(self, "owner")
        owner.queryset = _people()
        long_choices.share(owner, long_choices.read(PersonChoiceField, owner.queryset))

    def filters(self) -> selectors.ScenarioFilters:
        # cleaned_data keeps the valid fields even when another one is invalid.
        self.is_valid()
        data = self.cleaned_data
        return selectors.ScenarioFilters(
            q=data.get("q", "").strip(),
            status=data.get("status", ""),
            team=data.get("team", ""),
            owner=data["owner"].pk if data.get("owner") else None,
            route=data.get("route", ""),
            hosting=data.get("hosting", ""),
            mine=bool(data.get("mine")),
        )
