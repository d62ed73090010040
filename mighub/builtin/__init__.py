"""The kernel's own features, written as plugins on the public hooks.

Each module here is registered by the plugin host before any installed
plugin, under the name ``mighub.<module>``.
"""
