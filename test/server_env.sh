# Sourced by the tests that need the test cluster's server restarted with
# more in its environment (pg_ctlcluster gives the server only what the
# cluster's environment file says).
server_env_file=/etc/postgresql/15/regress/environment

# Restart the server with these 'NAME = value' lines added.
server_env_add() {
    [ -f "$server_env_file" ] || return 1
    cp "$server_env_file" /tmp/hubspot_server_env.saved
    printf '%s\n' "$@" >> "$server_env_file"
    pg_ctlcluster 15 regress restart
}

# Restart the server with its environment as it was.
server_env_restore() {
    cp /tmp/hubspot_server_env.saved "$server_env_file"
    pg_ctlcluster 15 regress restart
}
