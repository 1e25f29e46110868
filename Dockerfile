# dockerhub-mcp container image.
#
#   docker build -t dockerhub-mcp .
#   docker run --rm -i dockerhub-mcp                                    # stdio (default)
#   docker run --rm -p 8000:8000 -e TRANSPORT=streamable-http -e HOST=0.0.0.0 \
#     -e MCP_AUTH_TOKEN=... dockerhub-mcp                               # streamable HTTP
#
# With buildah/podman, build with `--format docker`: the OCI image format has no HEALTHCHECK.
# `npm run test:container` builds and tests the image (docker, else buildah + podman).
#
# The runtime stage holds node and the npm package as `npm pack` makes it (the bundle, no
# node_modules). NPM_CONFIG_REGISTRY selects the registry the build stage's `npm ci` installs from
# (the lockfile carries no `resolved` URLs). Proxies come from the standard HTTP_PROXY / HTTPS_PROXY / NO_PROXY build
# args. Never bake registry credentials into the image.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: all dependencies, compile TypeScript and bundle it into dist/, pack the npm package
FROM ${NODE_IMAGE} AS build
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped here so this layer depends on the lockfile only; the build runs below once
# the sources are in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig*.json ./
COPY src ./src
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY README.md LICENSE mcp_config.json ./
# The runtime stage takes exactly what the npm package ships (package.json `files`): the bundle
# with every dependency inlined, its license notices, README, LICENSE. No node_modules at all.
RUN npm run build && npm pack --ignore-scripts --silent \
 && mkdir /out && tar -xzf dockerhub-mcp-*.tgz -C /out && test -f /out/package/dist/main.cjs

# ---------------------------------------------------------------------------------------------
# runtime: the packed package only, non-root
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/dockerhub-mcp/dockerhub-mcp

LABEL org.opencontainers.image.title="dockerhub-mcp" \
      org.opencontainers.image.description="MCP server for Docker Hub, any OCI / Docker registry, and Docker Scout" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      io.modelcontextprotocol.server.name="io.github.dockerhub-mcp/dockerhub-mcp"

# TRANSPORT, HOST and PORT are left to the server's defaults (stdio; 127.0.0.1:8000 for HTTP).
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/package ./

USER node

# Documentation only: HTTP mode listens here (PORT). stdio mode needs no port.
EXPOSE 8000

# HTTP mode: GET /healthz via node's fetch (no curl in the image). The transport, host and port
# are read like the server reads them: PID 1's flags (--transport/--host/--port) first, then
# TRANSPORT/HOST/PORT, then the defaults. stdio mode has no port, so the check passes trivially.
# HOST 0.0.0.0 / :: is probed on 127.0.0.1; any other HOST is probed as given.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const fs=require('fs');let a=[];try{a=fs.readFileSync('/proc/1/cmdline','utf8').split('\\0')}catch{} \
    const opt=(n,d)=>{for(let i=0;i<a.length;i++){if(a[i]==='--'+n)return a[i+1];if(a[i].startsWith('--'+n+'='))return a[i].slice(n.length+3)}return process.env[n.toUpperCase()]||d}; \
    const t=String(opt('transport','stdio')).toLowerCase();if(t!=='streamable-http'&&t!=='http')process.exit(0); \
    let h=String(opt('host','127.0.0.1'));if(h==='0.0.0.0'||h==='::'||h==='[::]')h='127.0.0.1';if(h.includes(':')&&!h.startsWith('['))h='['+h+']'; \
    fetch('http://'+h+':'+opt('port','8000')+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["node", "/app/dist/main.cjs"]
