"""pao.forge layer."""
