"""A text column kept encrypted at rest (Fernet), for webhook secrets and chat webhook URLs:
a database dump or a read-only SQL role does not reveal them. The key comes from
`INTEGRATIONS_SECRET_KEY` (else `SECRET_KEY`); changing it makes stored values unreadable, so
set it on its own where `SECRET_KEY` may be rotated."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    digest = hashlib.sha256(str(settings.INTEGRATIONS_SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SealedTextField(models.TextField):  # type: ignore[type-arg]
    """Plain text in Python, Fernet ciphertext in the database (never filtered on)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return _fernet().decrypt(value.encode()).decode()

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return _fernet().encrypt(str(value).encode()).decode()
