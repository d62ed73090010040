${header()}
# mighub configuration. Every key is described in mighub's docs/configuration.md.
# Paths are relative to this file, a relative SQLite database in url too.
script_location = "${script_location}"
# The database URL comes from the environment, so no secret is committed.
url = "${"${DATABASE_URL}"}"
