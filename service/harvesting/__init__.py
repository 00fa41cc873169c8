"""Harvest orchestration on the service side: locks, job reports, page validators and writing into the store."""
