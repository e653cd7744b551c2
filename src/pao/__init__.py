"""pao, the Platform Automation Orchestrator.

Layers, from top to bottom (imports only run downward, checked by
import-linter): ``cli`` → ``api`` / ``standins`` → ``controller`` →
``reconcilers`` → ``actions`` → ``requests`` → ``catalog`` → ``templates`` →
``store`` / ``forge`` → ``core``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
