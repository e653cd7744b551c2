"""pao.store layer."""
