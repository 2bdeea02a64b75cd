"""Subcommands of ``lastmile``: each module parses its arguments and calls services."""
