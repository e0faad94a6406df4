"""Loopback servers that speak the providers' wire protocols, and a helper to run the real app."""
