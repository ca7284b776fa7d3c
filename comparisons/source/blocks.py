"""Cutting a Python source into top-level blocks with `ast`: the units that `align` pairs.

A block is the module docstring, the imports (consecutive ones make one block), a def or class
with its decorators and the comments just above it, or any other statement. Each block owns the
lines after its predecessor up to its own last line, less its leading and trailing blank lines;
it remembers how many blank lines stood above it (`blank_before`) and how many lines come before
its keyword line (`lead`: comments, decorators), so that `layout` can put the `def` lines of two
matching blocks on the same row. A block's `key` is what it pairs on: a def's or class's name, an
assignment's target, `"<docstring>"`, `"<imports>"`, `"if <test>"`, or None (pairs with nothing).
"""

from __future__ import annotations

import ast
import dataclasses


@dataclasses.dataclass
class Block:
    """Consecutive source lines that pair as one: a def with its decorators and comments, the imports..."""

    key: str | None  # what it pairs on: a name, "<docstring>", "<imports>", "if <test>", or None
    lines: list[str]
    numbers: list[int | None]  # line numbers in the source file (None for a heading we add)
    blank_before: int = 0  # blank lines above it in the source
    lead: int = 0  # lines above its statement's keyword line (comments, decorators, our heading)


@dataclasses.dataclass
class Side:
    """One column of the view: the files it shows and their blocks, in order."""

    labels: list[str]  # the files it shows, for the header
    blocks: list[Block]


def _key(node: ast.stmt, first: bool) -> str | None:
    if first and isinstance(node, ast.Expr) and isinstance(getattr(node.value, "value", None), str):
        return "<docstring>"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "<imports>"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        return targets[0].id
    if isinstance(node, ast.If):
        return f"if {ast.unparse(node.test)}"
    return None


def _block(key: str | None, lines: list[str], start: int, end: int, first_line: int, head: int) -> Block:
    """Lines `start:end` (0-based) without their leading and trailing blank lines; `head`: the keyword line."""
    owned = lines[start:end]
    blank = next((k for k, line in enumerate(owned) if line.strip()), len(owned))
    body = owned[blank:]
    while body and not body[-1].strip():
        body.pop()
    numbers = [first_line + start + blank + k for k in range(len(body))]
    return Block(key, body, numbers, blank, max(0, head - 1 - start - blank))


def parse_blocks(source: str, first_line: int = 1) -> list[Block]:
    """Top-level blocks of Python `source`; each owns the lines after its predecessor up to its end."""
    body = ast.parse(source).body
    lines = source.expandtabs(8).replace("\r\n", "\n").split("\n")  # (not splitlines: ast's line breaks only)
    blocks, start, i = [], 0, 0  # start: the first line (0-based) that no block owns yet
    while i < len(body):
        j = i
        if isinstance(body[i], (ast.Import, ast.ImportFrom)):  # consecutive imports: one block
            while j + 1 < len(body) and isinstance(body[j + 1], (ast.Import, ast.ImportFrom)):
                j += 1
        end = body[j].end_lineno
        if end > start:  # (a statement after `;` shares its predecessor's line and block)
            blocks.append(_block(_key(body[i], first=i == 0), lines, start, end, first_line, body[i].lineno))
            start = end
        i = j + 1
    if any(line.strip() for line in lines[start:]):  # comments after the last statement
        blocks.append(_block(None, lines, start, len(lines), first_line, len(lines)))
    return blocks
