"""Forms of the scenario pages. Forms parse and label input; the services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from portal.core.models import User
from portal.core.selectors import PERSON_COLUMNS
from scenarios import checklist, selectors
from scenarios.models import Hosting, Route, Scenario, ScenarioTemplate, Tool

ESCALATION_LEVELS = 5
ESCALATION_FIELDS = tuple(f"escalation_{n}" for n in range(1, ESCALATION_LEVELS + 1))

# (legend, fields, help). Other intake sources (templates) prefill through `initial`.
FIELDSETS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "Basics",
        ("name", "team", "description", "expected_volume", "risk_level", "data_classification"),
        "What the scenario does, for whom, and how sensitive its data is.",
    ),
    (
        "Success criterion and eval",
        ("success_criterion", "eval_dataset", "eval_threshold"),
        "What “good” means, how it is measured, and the score a release must reach.",
    ),
    (
        "Route policy",
        ("primary_route", "human_review", "fallback", "fallback_alias"),
        "How requests are served, who checks answers, and what happens when the model fails.",
    ),
    ("Context budget", ("context_budget_tokens",), "Tokens per request the route may use."),
    ("Tool policy", ("allowed_tools",), "Only tools the registry allows can be picked."),
    (
        "Cache strategy",
        ("prefix_stability", "route_affinity", "cache_hit_slo"),
        "Stable prompt prefixes and route affinity make the provider cache pay off.",
    ),
    ("Cost", ("monthly_budget", "target_cost_per_outcome"), "Budgets in EUR."),
    (
        "Hosting",
        ("hosting", *checklist.SELF_HOSTED_LABELS),
        "Self-hosting returns what a provider-managed model hides: answer the self-hosted "
        "questions when you pick it.",
    ),
    (
        "RACI",
        (*Scenario.RACI_FIELDS, "rollback_plan"),
        "One named owner per responsibility. One person may hold several.",
    ),
    (
        "Escalation path",
        ESCALATION_FIELDS,
        "Who is called, in order, when the people above do not respond. Each person once.",
    ),
)

LABELS = {
    **checklist.RACI_LABELS,
    **checklist.CONTRACT_LABELS,
    **checklist.SELF_HOSTED_LABELS,
    "fallback_alias": "Fallback model alias",
    "route_affinity": "Route affinity (pin a conversation to one route for cache hits)",
    "allowed_tools": "Allowed tools",
    "cache_hit_slo": "Cache hit SLO (%)",
    "eval_threshold": "Eval pass threshold (0–100)",
    "monthly_budget": "Monthly cost budget",
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

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        people = _people()
        for name in Scenario.RACI_FIELDS:
            _model_field(self, name).queryset = people
        for position, name in enumerate(ESCALATION_FIELDS, start=1):
            self.fields[name] = forms.ModelChoiceField(
                queryset=people, required=False, label=f"Level {position}"
            )
        _model_field(self, "allowed_tools").queryset = Tool.objects.allowed()
        if self.instance.pk:
            del self.fields["team"]
            del self.fields["template"]  # recorded when the intake was opened
            path = [step.person for step in self.instance.escalation_steps.all()]
            for name, person in zip(ESCALATION_FIELDS, path, strict=False):
                self.initial.setdefault(name, person.pk)
            self.initial.setdefault(
                "allowed_tools", [t.pk for t in self.instance.allowed_tools.all()]
            )
        else:
            _model_field(self, "team").queryset = selectors.creatable_teams(user)
            _model_field(self, "team").empty_label = None
        for name, label in LABELS.items():
            if name in self.fields:
                self.fields[name].label = label

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
                    name, f"{person} is already at {self.fields[seen[person.pk]].label}."
                )
            seen.setdefault(person.pk, name)
        return data

    def fieldsets(self) -> list[dict[str, Any]]:
        """Fieldsets with bound fields, for the template."""
        return [
            {
                "legend": legend,
                "help": help_text,
                "fields": [self[name] for name in names if name in self.fields],
                "self_hosted": legend == "Hosting",
            }
            for legend, names, help_text in FIELDSETS
        ]

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

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's field errors beside the fields they belong to."""
        add_errors(self, error, aliases={checklist.ESCALATION_FIELD: ESCALATION_FIELDS[0]})


def add_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Attach a service's ValidationError to the form: by field where the form has it."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        if target in form.fields:
            form.add_error(target, messages)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            form.add_error(None, [f"{LABELS.get(name, name)}: {m}" for m in messages])


PASS_FAIL = [("pass", "Pass"), ("fail", "Fail")]


class ReviewForm(forms.Form):
    """The architecture review checklist (each item pass/fail with a note) and a comment."""

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Decision comment",
        help_text="Sent to the product owner with the decision.",
    )
    as_delegate = forms.BooleanField(
        required=False, label="I act as a delegate of the platform reviewer (admins only)"
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
                label=f"Note on “{result.label}”",
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
        labels = {"allowed": "Scenarios may pick this tool"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "owner").queryset = _people()

    def _post_clean(self) -> None:
        pass


class ScenarioFilterForm(forms.Form):
    """The list filters (GET). Invalid values are ignored rather than reported."""

    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any state"), *Scenario.Status.choices], label="State"
    )
    team = forms.ChoiceField(required=False, label="Team")
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Owner")
    route = forms.ChoiceField(
        required=False, choices=[("", "Any route"), *Route.choices], label="Route"
    )
    hosting = forms.ChoiceField(
        required=False, choices=[("", "Any hosting"), *Hosting.choices], label="Hosting"
    )
    mine = forms.BooleanField(required=False, label="My teams and roles only")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = selectors.teams_for_filter()
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            ("", "Any team"),
            *((t.slug, t.name) for t in teams),
        ]
        # A list, read in one query: a queryset would be read through a server-side cursor.
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", "Anyone"),
            *((person.pk, str(person)) for person in _people().only(*PERSON_COLUMNS)),
        ]

    def filters(self) -> selectors.ScenarioFilters:
        # cleaned_data keeps the valid fields even when another one is invalid.
        self.is_valid()
        data = self.cleaned_data
        return selectors.ScenarioFilters(
            q=data.get("q", "").strip(),
            status=data.get("status", ""),
            team=data.get("team", ""),
            owner=data.get("owner"),
            route=data.get("route", ""),
            hosting=data.get("hosting", ""),
            mine=bool(data.get("mine")),
        )
