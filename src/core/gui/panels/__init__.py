"""The docked panels: one module per panel, each a class with ``draw()``."""
