"""The REST layer: parse parameters, call the graph layer, serialise. No query logic."""
