# JavaScript / TypeScript: node runs solutions; the packages pinned in package.json and
# package-lock.json (typescript, esbuild, react, react-dom, lodash, js-md5, eslint,
# typescript-eslint, globals, @types/*) go to <repo>/node_modules with `npm ci`, skipped when node_modules already matches
# the lock. eslint, typescript-eslint and globals score solutions (observe/analysers/node.py).
set -euo pipefail
root=${MPM_PROJECT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
node --version
cd "$root"
stamp=node_modules/.mpm-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
# npm ci runs as the user the checkout is for (not root under sudo): node_modules stays theirs.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "node_modules matches package-lock.json"
else
  as_user npm ci --no-audit --no-fund --loglevel=error
  as_user sh -c "echo $want > $stamp"
fi
# The sandbox runs solutions as an unprivileged uid: the runtime packages must be readable.
as_user chmod -R a+rX node_modules
