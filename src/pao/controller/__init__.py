"""The controller layer: the loops that keep the index and git in step."""

from __future__ import annotations

from pao.controller.controller import Controller, ControllerOptions

__all__ = ["Controller", "ControllerOptions"]
