/** The reference ceiling: a bare node:http server answering every request with a fixed JSON body. */
import { createServer } from 'node:http';

const body = JSON.stringify({
  label: 'positive',
  score: 0.73,
  probabilities: { negative: 0.27, positive: 0.73 },
  model: 'sentiment',
  model_version: '1',
});
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
