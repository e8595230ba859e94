// Baseline: a bare Fastify route answering a small JSON object.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ id: 'x', email: 'bench@example.test', role: 'resident' }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`LISTENING ${new URL(address).port}`);
