// TCP echo server written directly against Deno.listen (https://docs.deno.com/api/deno/~/Deno.listen).
// Run: deno run --allow-net echo-deno.js [port]   (port 0 or none: ephemeral). Prints {"port":N} when ready.
const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(Deno.args[0] ?? 0) });
console.log(JSON.stringify({ port: listener.addr.port }));

async function echo(conn) {
  try {
    // conn.readable / conn.writable are web streams; pipeTo carries backpressure and closes
    // the writable side (FIN) when the client half-closed.
    await conn.readable.pipeTo(conn.writable);
  } catch {
    // the client reset the connection: nothing to echo any more
  }
}

Deno.addSignalListener("SIGTERM", () => {
  listener.close();
  Deno.exit(0);
});
for await (const conn of listener) void echo(conn);
