"""The exceptions mighub shows to users.

Every error a user can cause or fix derives from :class:`MighubError`: the CLI
prints its message as one line on stderr and exits with status 1, without a
traceback unless ``--traceback`` is given. Anything else escaping a command is
a bug in mighub or in a plugin, and is reported as such.
"""

from __future__ import annotations


class MighubError(Exception):
    """A problem the user can fix; its message is the whole story, on one line."""


class ConfigError(MighubError):
    """The configuration file or a command-line setting is wrong."""


class PluginError(MighubError):
    """A plugin failed to load, clashed with another, or used the API wrongly."""


class CommandError(MighubError):
    """A command cannot do what it was asked (bad argument, wrong state)."""
