"""Hook API plugin (thin until the Hook API issue lands)."""

import fastapi  # noqa: F401
import uvicorn  # noqa: F401
