"""Admin for exceptions: register PlatformException here."""
