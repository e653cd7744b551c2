"""Entry point for ``python -m pao``."""

from __future__ import annotations

from pao.cli import main

main()
