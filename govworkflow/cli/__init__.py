"""The command line: ``govworkflow …`` (``cli.main``), with the triage commands in
``cli.triage`` and one output helper (``cli.output``)."""

from govworkflow.cli.main import COMMANDS, add_command, build_parser, main
from govworkflow.office.rulesets import task_rows  # its home before the one-core layout; kept one release

__all__ = ["COMMANDS", "add_command", "build_parser", "main", "task_rows"]
