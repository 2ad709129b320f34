"""The form renderer: widgets render with the project's template engine, except the select.

Every filter bar and most forms hold several selects, and the template engine's cost per option
(a loop, an attribute loop and two filters for each) made them most of a list page's rendering.
`render_select` writes the markup Django's template writes, in Python."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Select
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


class FormRenderer(TemplatesSetting):
    """Templates from the project's engine (so templates/django/forms/ can override them)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == Select.template_name:
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)


def render_select(widget: dict[str, Any]) -> SafeString:
    """`django/forms/widgets/select.html` for the widget context Django builds (optgroups
    included), with the same escaping."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308  every value above is escaped


def _attrs(attrs: dict[str, Any]) -> str:
    """`django/forms/widgets/attrs.html`: True is a bare attribute, False leaves it out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )
