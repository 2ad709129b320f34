"""Exceptions to the platform's golden path: services, selectors, views and API.

The model, PlatformException, lives in scenarios.models with the other scenario models."""
