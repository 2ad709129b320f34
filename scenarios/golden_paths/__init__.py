"""Golden paths: intake templates the platform publishes, and how far a scenario is from its own."""
