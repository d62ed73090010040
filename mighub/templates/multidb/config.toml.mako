${header()}
# mighub configuration. Every key is described in mighub's docs/configuration.md.
# Paths are relative to this file, a relative SQLite database in url too.

# Where env.py, script.py.mako and versions/ live.
script_location = "${script_location}"

# One table per database. Each may also set version_table and version_table_schema.
# A url may read the environment: url = "${"${ENGINE1_URL}"}"
${header("databases.engine1")}
url = "sqlite:///engine1.db"

${header("databases.engine2")}
url = "sqlite:///engine2.db"
