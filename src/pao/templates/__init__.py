"""pao.templates layer."""
