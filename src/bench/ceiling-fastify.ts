/** A second reference: bare Fastify returning the same fixed body (the framework's own cost). */
import Fastify from 'fastify';

const body = {
  label: 'positive',
  score: 0.73,
  probabilities: { negative: 0.27, positive: 0.73 },
  model: 'sentiment',
  model_version: '1',
};
const app = Fastify();
app.post('/predict', async () => body);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
