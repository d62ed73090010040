"""The autogenerate plugin's hook implementations, found through the ``mighub`` entry point.

``mighub revision --autogenerate`` and ``mighub check``, with their
comparators and renderers, arrive with the autogenerate issue; until then
this plugin loads and registers nothing.
"""
