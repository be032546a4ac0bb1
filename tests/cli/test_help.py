"""Every command's help: one-line summaries in the listing, and defaults shown one way."""
import re

import click

from genoseq.cli import main


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


def test_defaults_are_shown_by_click_not_written_into_the_help():
    for name, command in all_commands(main):
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_flag or param.hidden:
                continue
            help_text = param.help or ""
            assert not re.search(r"\[[^\]]*\]\.?$", help_text), f"{name} {param.opts}: default written in the help"
            unset = param.required or param.multiple or repr(param.default).startswith("Sentinel")
            if param.default is not None and not unset:
                assert param.show_default, f"{name} {param.opts}: default {param.default!r} not shown"
            assert help_text, f"{name} {param.opts}: no help"


def test_command_listing_has_whole_sentences():
    for name, command in all_commands(main):
        summary = command.get_short_help_str(limit=70)
        assert not summary.endswith("..."), f"{name}: summary cut off: {summary!r}"
