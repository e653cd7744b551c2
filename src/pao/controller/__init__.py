"""pao.controller layer."""
