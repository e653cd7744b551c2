"""Where pao's repositories live: plain git here, forge APIs beside it."""
