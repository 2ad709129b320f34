"""Creates the portal's client and people with groups: `seed_provider <client> <secret>
<redirect uri> <username>:<password>:<email>:<group>,<group> ...`; people who exist get the
groups given (and lose the others)."""

from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("client_id")
        parser.add_argument("client_secret")
        parser.add_argument("redirect_uri")
        parser.add_argument("people", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        Application.objects.update_or_create(
            client_id=options["client_id"],
            defaults={
                "name": "portal",
                "client_secret": options["client_secret"],
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": options["redirect_uri"],
                # Where the portal's sign-out comes back to: its sign-in page.
                "post_logout_redirect_uris": options["redirect_uri"].replace(
                    "/oidc/callback/", "/login/"
                ),
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,
            },
        )
        for person in options["people"]:
            username, password, email, groups = person.split(":")
            user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
            user.set_password(password)
            user.save()
            names = [name for name in groups.split(",") if name]
            user.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])
