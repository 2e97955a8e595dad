"""Backups (docs/backups.md): `flask backup` writes a dump and its manifest; scripts/restore-drill restores the
newest into a fresh database and checks it against the manifest."""
