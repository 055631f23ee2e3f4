// TCP echo server written directly against Bun.listen (https://bun.sh/docs/api/tcp).
// Run: bun echo-bun.js [port]   (port 0 or none: ephemeral). Prints {"port":N} when ready.

// Bun's socket.write() is unbuffered: it returns how many bytes the kernel took, and the
// rest is ours to keep until `drain`. Each socket carries its queue in socket.data.
function flush(socket) {
  const q = socket.data.queue;
  while (q.length) {
    const n = socket.write(q[0]);
    if (n < q[0].byteLength) {
      if (n > 0) q[0] = q[0].subarray(n);
      return; // wait for drain
    }
    q.shift();
  }
  if (socket.data.ended) socket.shutdown(); // FIN once everything was written back
}

const server = Bun.listen({
  hostname: "127.0.0.1",
  port: Number(Bun.argv[2] ?? 0),
  // Without allowHalfOpen Bun closes the socket as soon as the client's FIN arrives.
  allowHalfOpen: true,
  socket: {
    binaryType: "uint8array",
    open(socket) {
      socket.data = { queue: [], ended: false };
    },
    data(socket, chunk) {
      // Each data callback gets a fresh buffer, so it can be queued as it is. The queue is
      // unbounded: a client that writes without reading makes it grow.
      socket.data.queue.push(chunk);
      flush(socket);
    },
    drain(socket) {
      flush(socket);
    },
    end(socket) {
      socket.data.ended = true;
      flush(socket);
    },
    error(socket) {
      socket.end();
    },
  },
});

console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
