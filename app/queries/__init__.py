"""Questions asked of a ``KnowledgeGraph``: pure functions, no HTTP.

Each takes the graph first and its options as keywords, and returns relation
and entity *positions* (see ``views.py`` to turn them into JSON-ready dicts).
"""
