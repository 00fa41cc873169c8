"""Fetching portals safely: the guarded HTTP client, the network guard, safe XML/JSON and RDF
parsing, conditional requests (the page cache), download limits and the link checker."""
