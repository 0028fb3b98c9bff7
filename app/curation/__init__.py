"""Curation: writes through the API, journaled in a database, with API keys and roles."""
