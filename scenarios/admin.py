from scenarios.exceptions import admin as exceptions_admin  # noqa: F401
