from scenarios import template_admin  # noqa: F401
from scenarios.exceptions import admin as exceptions_admin  # noqa: F401
