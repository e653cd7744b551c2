"""pao.api layer."""
