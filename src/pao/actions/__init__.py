"""pao.actions layer."""
