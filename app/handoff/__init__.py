"""Handoff to human agents: durable records with transcripts, delivery to desks, the agent inbox data."""
