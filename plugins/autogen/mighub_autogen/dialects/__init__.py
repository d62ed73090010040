"""What the round-trip databases need beyond the generic comparison.

:mod:`.postgresql` and :mod:`.mysql` (MariaDB/MySQL) register type
synonyms, normalisers and a comparator for their dialect through the same
``mighub_register_comparators`` registry a dialect plugin uses. They live
here until the dialect plugins take them over: registering the same names
there with ``replace=True`` supersedes them. :mod:`.sqlite` is a faster
reader used by :mod:`mighub_autogen.reflect`; SQLite needs no spelling
rules, since it gives types and defaults back as they were written.
"""
