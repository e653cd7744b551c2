"""Hard limits on what one template may cost to compile and render."""

from __future__ import annotations

from typing import Final

# A catalog file is at most 1 MiB; a single template is a part of one.
MAX_TEMPLATE_CHARS: Final = 256 * 1024
# Rendered text goes into HTTP bodies, tickets and comments; none of those
# needs more than this, and a bound keeps a hostile loop from eating memory.
MAX_OUTPUT_CHARS: Final = 1024 * 1024
# Summed over every {{#each}} of one render, nested loops included.
MAX_ITERATIONS: Final = 10_000
# Blocks inside blocks, and calls or parentheses inside expressions. Real
# templates use two or three levels; the bound keeps parsing and Jinja's
# compiler far from Python's recursion limit.
MAX_NESTING: Final = 32
