"""A typed client of the AI Operating Model Portal's API (`PortalClient`) and the `portal` CLI."""

from portal_sdk.client import APIError, ConfigError, PortalClient, WaitOutcome, WaitResult

__all__ = ["APIError", "ConfigError", "PortalClient", "WaitOutcome", "WaitResult"]
