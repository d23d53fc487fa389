"""`flask reindex`: update the index from DOCS_DIR (incremental), or rebuild it with --full."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from search.index.store import IndexLockedError


def init_app(app) -> None:
    """Register the reindex command."""
    app.cli.add_command(reindex_command)


class _Progress:
    """One updating line on a terminal; nothing when output is not a terminal."""

    def __init__(self, tty: bool | None = None):
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.last = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.tty:
            return
        line = f"\r{stage} {done}/{total}"
        if line != self.last:
            click.echo(line.ljust(40), nl=False, err=True)
            self.last = line

    def finish(self) -> None:
        if self.tty and self.last:
            click.echo("\r" + " " * 40 + "\r", nl=False, err=True)
            self.last = None


@click.command("reindex")
@with_appcontext
@click.option("--full", is_flag=True, help="Rebuild the whole index instead of updating what changed.")
def reindex_command(full: bool) -> None:
    """Index new and changed documents of DOCS_DIR, remove deleted ones; atomic and safe to interrupt."""
    # Imported here: the indexer's modules (file formats, extraction) are not needed to serve, and
    # importing them when the app is created delayed a server's first answer by a tenth of a second.
    from search.index.indexer import ReindexError, reindex
    from search.index.workers import Budget
    from search.ingest.config_files import check_config_files
    from search.resources import ConfigError

    docs_dir = current_app.config["DOCS_DIR"]
    index_dir = current_app.config["INDEX_DIR"]
    budget = Budget(float(current_app.config["EXTRACT_TIME_LIMIT"]), int(current_app.config["EXTRACT_MEMORY_LIMIT"]))
    progress = _Progress()
    try:
        # Every configuration file is checked before anything is built: a mistake in one that this
        # reindex would not read (glossary.toml) is still reported now, not when the server starts.
        check_config_files(docs_dir)
        summary = reindex(docs_dir, index_dir, full=full, progress=progress, budget=budget)
    except ConfigError as exc:
        raise click.ClickException(f"{exc} Nothing was reindexed: the previous index is still serving.") from None
    except (IndexLockedError, ReindexError) as exc:
        raise click.ClickException(str(exc)) from None
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        where = f" on {exc.filename}" if exc.filename else ""
        raise click.ClickException(
            f"Reindex failed ({exc.strerror or exc}{where}); nothing was switched: the previous index is still serving."
        ) from None
    finally:
        progress.finish()
    for note in summary.notes:
        click.echo(f"Note: {note}.", err=True)
    click.echo(f"Reindexed {docs_dir} in {summary.seconds:.1f}s: {summary.line()}")
