"""A department's report as a document: assembly, workflow, editions, PDF, HWPX and booklets.

Reads org, budget, projects and reports; knows nothing of pages, the admin or the API (portal).
"""
