"""The top-level ``collabatlas`` group: global options before or after the command, command modules
loaded on use (:data:`collabatlas.views.commands.LAZY`), a light ``--help``, and output streams that
never fail on a character their encoding lacks."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

FLAGS_ANYWHERE = ("--raw-csv", "--quiet", "-q", "--with-meta")
"""Global flags that may also follow the subcommand (moved before it)."""


class GlobalOptionsGroup(TyperGroup):
    """The top-level group: global options are accepted before or after the subcommand.

    ``--raw-csv``, ``--with-meta`` and ``-q/--quiet`` after the subcommand move before it (the group reads them);
    ``--store FILE`` before the subcommand moves after it when that command (or the subcommand of a
    group such as ``ror load``) takes ``--store``; else the group refuses it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from collabatlas.views.commands import LAZY

        self.commands = LazyCommands(self.commands, LAZY)
        self._listing = False

    def main(self, *args, **kwargs):
        tolerant_streams()
        return super().main(*args, **kwargs)

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, reorder_global_options(self, ctx, list(args)))

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands.keys())  # without loading the lazy ones

    def get_command(self, ctx, name: str):
        if self._listing and self.commands.is_lazy(name):  # `collabatlas --help`: the summary only
            return typer.core.TyperCommand(name, help=self.commands.lazy[name][1], callback=None)
        return self.commands.get(name)

    def format_help(self, ctx, formatter) -> None:
        """``collabatlas --help``: drawn here with Rich tables (Typer's own help would import its
        Markdown renderer, a third of the start-up time); a command's ``--help`` is Typer's."""
        from rich.panel import Panel

        out = Console(emoji=False, highlight=False)
        out.print(f"\n Usage: {ctx.command_path} [OPTIONS] COMMAND [ARGS]...\n", markup=False)
        for paragraph in (self.help or "").split("\n\n"):
            out.print(Text(" " + " ".join(paragraph.split()) + "\n"))
        options = Table.grid(padding=(0, 2))
        for param in self.get_params(ctx):
            names = ", ".join([*param.opts, *getattr(param, "secondary_opts", [])])
            options.add_row(Text(names, style="bold cyan"), Text(getattr(param, "help", None) or ""))
        out.print(Panel(options, title="Options", title_align="left", border_style="dim"))
        commands = Table.grid(padding=(0, 2))
        self._listing = True
        try:
            for name in self.list_commands(ctx):
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    first = (command.help or "").split("\n\n")[0]
                    commands.add_row(Text(name, style="bold cyan"), Text(" ".join(first.split())))
        finally:
            self._listing = False
        out.print(Panel(commands, title="Commands", title_align="left", border_style="dim"))


class LazyCommands(dict):
    """click's command table where the commands of :data:`collabatlas.views.commands.LAZY` load on
    first use: names and membership answer without loading; a lookup, ``items()`` or ``values()``
    loads (``items()`` everything)."""

    def __init__(self, loaded: dict, lazy: dict[str, tuple[str, str]]) -> None:
        super().__init__(loaded)
        self.lazy = {name: entry for name, entry in lazy.items() if name not in loaded}

    def is_lazy(self, name: str) -> bool:
        return name in self.lazy and not dict.__contains__(self, name)

    def _load(self, name: str) -> None:
        if self.is_lazy(name):
            from collabatlas.views.commands import load

            for loaded, command in load(self.lazy[name][0]).items():
                dict.__setitem__(self, loaded, command)

    def keys(self) -> list[str]:
        return [*dict.keys(self), *(name for name in self.lazy if not dict.__contains__(self, name))]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or name in self.lazy

    def __getitem__(self, name: str):
        self._load(name)
        return dict.__getitem__(self, name)

    def get(self, name: str, default=None):
        self._load(name)
        return dict.get(self, name, default)

    def items(self):
        for name in list(self.lazy):
            self._load(name)
        return dict.items(self)

    def values(self):
        return [command for _, command in self.items()]


def tolerant_streams() -> None:
    """stdout and stderr replace what their encoding cannot write (``PYTHONIOENCODING=ascii``, a
    Latin-1 terminal): ``?`` for ``–`` or ``é`` instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot change
                pass


def reorder_global_options(group, ctx, args: list[str]) -> list[str]:
    end = args.index("--") if "--" in args else len(args)
    head, tail = args[:end], args[end:]
    i, stores = 0, []
    while i < len(head) and head[i].startswith("-"):
        if head[i] == "--store" and i + 1 < len(head):
            stores.append(head[i:i + 2])
            i += 2
        elif head[i].startswith("--store="):
            stores.append([head[i]])
            i += 1
        else:
            i += 1
    if i >= len(head):  # no subcommand: leave everything to click
        return args
    before, command, after = head[:i], head[i], head[i + 1:]
    moved = [a for a in after if a in FLAGS_ANYWHERE]
    after = [a for a in after if a not in FLAGS_ANYWHERE]
    if stores and _takes_store(group, ctx, command, after):
        before = [a for a in before if not any(a is s for pair in stores for s in pair)]
        after += [a for pair in stores for a in pair]
    return [*before, *moved, command, *after, *tail]


def _takes_store(group, ctx, name: str, rest: list[str]) -> bool:
    """Whether the command ``name`` (a group: its subcommand, the first of ``rest`` not an option) takes --store."""
    command = group.get_command(ctx, name)
    while hasattr(command, "get_command"):  # a group of commands
        sub = next((a for a in rest if not a.startswith("-")), None)
        command = command.get_command(ctx, sub) if sub else None
        rest = rest[rest.index(sub) + 1:] if sub else []
    return command is not None and any("--store" in getattr(p, "opts", ()) for p in command.params)
