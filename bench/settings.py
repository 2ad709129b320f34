"""The portal's settings with the benchmark's baseline views mounted (bench/urls.py)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
