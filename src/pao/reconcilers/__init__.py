"""pao.reconcilers layer."""
