#!/usr/bin/env python
"""Django's command-line utility; a configuration error is one line on stderr, not a traceback."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundraising.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # The variable and what it must be are in the message; a newcomer without DEBUG=1 learns the way in.
        hint = "" if "DEBUG" in os.environ else "; for local development run with DEBUG=1"
        sys.stderr.write(f"ImproperlyConfigured: {exc} (docs/configuration.md{hint})\n")
        sys.exit(1)
