# Images for the distributed setup in docker-compose.yml.
#   target "app":        the server (and CPU workers), tfjs-node where libtensorflow downloads
#   target "worker-gpu": a worker on CUDA with tfjs-node-gpu
FROM node:22-bookworm AS app
WORKDIR /app
COPY package.json package-lock.json ./
# The optional tfjs-node / tfjs-node-gpu download libtensorflow here, where there is internet.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV PORT=2567
EXPOSE 2567
# node itself, not npm: SIGTERM (docker stop) must reach the process that shuts down gracefully.
# The image's node is Node 22 (>= 22.18 runs the .ts files); the client was built just above.
CMD ["node", "scripts/start.ts"]

# tfjs-node-gpu 4.x is built against CUDA 11 and cuDNN 8.
FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS worker-gpu
COPY --from=app /usr/local/bin/node /usr/local/bin/node
COPY --from=app /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /app
COPY --from=app /app /app
ENV TF_BACKEND=tfjs-node-gpu
CMD ["node", "workers/worker.main.ts"]
