// The usual tutorial broadcast server, as the baseline for bench/compare.sh:
// every text frame is sent on to every client (the sender included) with
// wss.clients.forEach(c => c.send(data)). To speak like a Confab plain guest, each client
// is called guest-N, greeted with one line, and a message goes out as "guest-N: text".
//
//   node bench/ws-broadcast.mjs [--port P] [--bind ADDR]
// prints "listening on ws://ADDR:PORT" once ready (port 0 picks a free one).
import { WebSocketServer, WebSocket } from 'ws';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const port = Number(opt('--port', '0'));
const host = opt('--bind', '127.0.0.1');

const wss = new WebSocketServer({ port, host, backlog: 4096 });
let nextGuest = 1;

wss.on('connection', (ws) => {
  const nick = `guest-${nextGuest++}`;
  ws.send(`Welcome. You are ${nick}.`);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const line = `${nick}: ${data}`;
    wss.clients.forEach((client) => {
      if (client.readyState === WebSocket.OPEN) client.send(line);
    });
  });
});

wss.on('listening', () => {
  const a = wss.address();
  console.log(`listening on ws://${a.address}:${a.port}`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
