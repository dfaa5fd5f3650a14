/**
 * The baseline of the hooks benchmark: a bare Fastify route that parses the same request body (Fastify's JSON
 * parser) and returns a fixed card. What any CDS service on this stack pays at least.
 */
import Fastify from 'fastify';

const CARD = {
  cards: [
    {
      uuid: '00000000-0000-4000-8000-000000000000',
      summary: 'Fixed card',
      indicator: 'info',
      source: { label: 'baseline' },
    },
  ],
};

const app = Fastify({ bodyLimit: 20 * 1024 * 1024 });
app.post('/cds-services/:id', (request) => {
  if (typeof request.body !== 'object') throw new Error('no body');
  return CARD;
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
