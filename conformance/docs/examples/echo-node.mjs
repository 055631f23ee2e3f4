// TCP echo server written directly against node:net (https://nodejs.org/api/net.html).
// Run: node echo-node.mjs [port]   (port 0 or none: ephemeral). Prints {"port":N} when ready.
import { createServer } from "node:net";

const server = createServer({ allowHalfOpen: true }, (socket) => {
  // pipe() handles backpressure (pauses reading while the write buffer is full) and ends
  // the writable side (FIN) once the client half-closed and every byte was written back.
  socket.pipe(socket);
  socket.on("error", () => socket.destroy());
});

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
