${header()}
# mighub configuration. Every key is described in mighub's docs/configuration.md.
# Paths are relative to this file, a relative SQLite database in url too.

# Where env.py, script.py.mako and versions/ live.
script_location = "${script_location}"

# The database to migrate. --url and $MIGHUB_URL override it, and it may read
# the environment: url = "${"${DATABASE_URL}"}"
url = "sqlite+aiosqlite:///app.db"

# File names of new revisions: tokens rev, slug, epoch, year, month, day,
# hour, minute, second.
# file_template = "%(year)d_%(month).2d_%(day).2d-%(rev)s_%(slug)s"

# Project plugins: module names, or paths to .py files relative to this file.
# plugins = ["migrations/plugin.py"]

# Tools run on each new revision file, for example a formatter:
# [[post_write_hooks]]
# name = "ruff"
# type = "module"
# module = "ruff"
# options = "format REVISION_SCRIPT_FILENAME"
