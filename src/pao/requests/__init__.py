"""pao.requests layer."""
