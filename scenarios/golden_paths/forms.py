"""The template form: parses and labels input; `template_services` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scenarios.golden_paths.services import TEMPLATE_FIELDS
from scenarios.models import ScenarioTemplate, Tool


class ScenarioTemplateForm(forms.ModelForm):
    allowed_tools = forms.ModelMultipleChoiceField(
        queryset=Tool.objects.allowed().order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Allowed tools"),
        help_text=_("A scenario that picks a tool outside this list deviates from the template."),
    )

    class Meta:
        model = ScenarioTemplate
        fields = [*TEMPLATE_FIELDS, "allowed_tools"]
        labels = {
            "name": pgettext_lazy("object name", "Name"),
            "description": _("Description"),
            "primary_route": _("Primary route"),
            "human_review": _("Human review"),
            "fallback": _("Fallback"),
            "prefix_stability": _("Prefix stability"),
            "route_affinity": _("Route affinity"),
            "hosting": _("Hosting"),
            "context_budget_tokens": _("Context budget (tokens per request)"),
            "cache_hit_slo": _("Cache hit SLO (%)"),
            "reviewer_notes": _("Notes for the reviewer"),
        }
        help_texts = {
            "context_budget_tokens": _("A scenario asking for more deviates."),
            "human_review": _("A scenario with less review deviates; more is fine."),
            "reviewer_notes": _("What the architecture reviewer should still check."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "reviewer_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in TEMPLATE_FIELDS}
