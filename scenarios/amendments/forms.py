"""Forms of the amendment pages. Forms parse and label input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.models import User
from scenarios import policies
from scenarios.amendments import selectors
from scenarios.forms import ESCALATION_FIELDS, ScenarioForm
from scenarios.models import Amendment, Scenario

ESCALATION = Scenario.ESCALATION_FIELD


class AmendmentOpenForm(forms.Form):
    kind = forms.ChoiceField(choices=Amendment.Kind.choices, label=_("Kind of amendment"))
    summary = forms.CharField(max_length=200, label=_("What changes and why"))


class AmendmentForm(ScenarioForm):
    """The proposal, on the intake form: only the fields this person may propose, prefilled
    with what the scenario would become."""

    summary = forms.CharField(max_length=200, label=_("What changes and why"))
    discovery = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=selectors.label("discovery"),
        help_text=_("One candidate per line: model name, a colon, its eval score (0–100)."),
    )
    self_hosted_candidate = forms.CharField(
        required=False, max_length=200, label=selectors.label("self_hosted_candidate")
    )
    latency_p50_ms = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=Amendment.MAX_LATENCY_MS,
        label=selectors.label("latency_p50_ms"),
    )
    latency_p95_ms = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=Amendment.MAX_LATENCY_MS,
        label=selectors.label("latency_p95_ms"),
    )

    def __init__(self, *args: Any, amendment: Amendment, user: User, **kwargs: Any) -> None:
        super().__init__(*args, instance=selectors.result_of(amendment), user=user, **kwargs)
        self.amendment = amendment
        parts = policies.amendment_parts(user, amendment)
        keep = set(parts) | {"summary"}
        if ESCALATION in parts:
            keep.update(ESCALATION_FIELDS)
        if amendment.is_migration:
            keep.discard("hosting")  # a migration's target
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.initial["summary"] = amendment.summary
        self.initial["discovery"] = "\n".join(
            f"{row['model']}: {row['score']}" for row in amendment.discovery
        )
        for name in ("self_hosted_candidate", "latency_p50_ms", "latency_p95_ms"):
            self.initial[name] = getattr(amendment, name)

    def clean_discovery(self) -> list[dict[str, Any]]:
        rows = []
        for line in (self.cleaned_data.get("discovery") or "").splitlines():
            if not line.strip():
                continue
            model, _colon, score = line.rpartition(":")
            try:
                value = Decimal(score.strip())
            except InvalidOperation as exc:
                raise ValidationError(
                    gettext("“%(line)s”: write the model, a colon, its score.") % {"line": line}
                ) from exc
            rows.append({"model": model.strip(), "score": value})
        return rows

    def values(self) -> dict[str, Any]:
        """The proposal as `amendment_update` takes it."""
        arguments = self.service_arguments()
        values = {k: v for k, v in arguments["data"].items() if k in self.fields}
        if "allowed_tools" in self.fields:
            values["allowed_tools"] = arguments["tools"]
        if ESCALATION_FIELDS[0] in self.fields:
            values[ESCALATION] = arguments["escalation"]
        for name in Amendment.MIGRATION_FIELDS:
            if name in self.fields:
                values[name] = self.cleaned_data.get(name)
        return values

    def fieldsets(self) -> list[dict[str, Any]]:
        sets = super().fieldsets()
        migration = [self[n] for n in Amendment.MIGRATION_FIELDS if n in self.fields]
        if migration:
            sets.append(
                {
                    "key": "migration",
                    "legend": _("Migration to self-hosted"),
                    "help": _(
                        "The product side tries candidate models; the platform side names "
                        "the self-hosted candidate and its latency profile."
                    ),
                    "fields": migration,
                    "self_hosted": False,
                }
            )
        return [s for s in sets if s["fields"]]


class MinorEditForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = list(Scenario.MINOR_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"description": _("Description"), "expected_volume": _("Expected volume")}

    def _post_clean(self) -> None:
        pass  # the service validates


STATE_CHOICES = [("", _("Any state")), *Amendment.Status.choices]
KIND_CHOICES = [("", _("Any kind")), *Amendment.Kind.choices]


class AmendmentFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATE_CHOICES, label=_("State"))
    kind = forms.ChoiceField(required=False, choices=KIND_CHOICES, label=_("Kind"))
    scenario = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filters(self) -> dict[str, Any]:
        # cleaned_data keeps the valid fields even when another one is invalid.
        self.is_valid()
        return {
            "status": self.cleaned_data.get("status", ""),
            "kind": self.cleaned_data.get("kind", ""),
            "scenario": self.cleaned_data.get("scenario"),
        }
