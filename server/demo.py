"""PLACEHOLDER — being replaced by the demo data loader."""
import click


@click.command("demo")
def demo_command():
    """Load demo data (idempotent)."""
