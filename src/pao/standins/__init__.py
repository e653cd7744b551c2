"""pao.standins layer."""
