"""PLACEHOLDER — being replaced by the roster commands."""
import click
from flask.cli import AppGroup

members_cli = AppGroup("members", help="Roster and roles.")
