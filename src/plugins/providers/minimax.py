"""minimax provider (thin until the provider issue lands)."""

import requests  # noqa: F401
