"""Deployment scripts (`ops/deploy-check`) and the stdlib-only helpers they share with the fault
tests in tests/ops/: reading the Procfile, a guest's browser over plain HTTP, the file outbox."""
