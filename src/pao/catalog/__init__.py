"""pao.catalog layer."""
