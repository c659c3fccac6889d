"""Generate docs/cli.md from the command tree, so the reference cannot drift from the code.

``python -m osatnet.cli._docs > docs/cli.md``; a test checks the file is up to date.
"""

from __future__ import annotations

from typing import Any

import typer

from ._app import app

__all__ = ["render"]


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    for name in sorted(getattr(command, "commands", {})):
        found += _walk(command.commands[name], [*path, name])
    return found


def _param_row(param: Any) -> str | None:
    if getattr(param, "hidden", False) or param.name == "help":
        return None
    names = ", ".join(f"`{o}`" for o in [*param.opts, *getattr(param, "secondary_opts", [])])
    if param.param_type_name == "argument":
        names = f"`{param.name.upper()}`"
    help_text = (getattr(param, "help", None) or "").replace("|", "\\|").replace("\n", " ")
    default = param.default
    shown = "" if default in (None, False, ()) or callable(default) else f"`{default}`"
    required = "yes" if param.required else ""
    return f"| {names} | {required} | {shown} | {help_text} |"


def render() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the code by `python -m osatnet.cli._docs > docs/cli.md`; a test keeps it",
        "in step. Every command also answers `--help`. User errors print one line per problem",
        "on stderr and exit with code 2.",
        "",
    ]
    for path, command in _walk(root, ["osatnet"]):
        lines += [f"## {' '.join(path)}", ""]
        text = (command.help or "").strip()
        if text:
            lines += [text.split("\n\n")[0].replace("\n", " "), ""]
        rows = [r for r in (_param_row(p) for p in command.params) if r]
        if rows:
            lines += ["| option | required | default | meaning |", "| --- | --- | --- | --- |"]
            lines += [*rows, ""]
        if getattr(command, "commands", None):
            subs = ", ".join(f"`{name}`" for name in sorted(command.commands))
            lines += [f"Commands: {subs}.", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
