/**
 * A hook thread's entry (hook-threads.ts starts it): answers the calls it is handed with answerHook, the same
 * function the event loop runs, and posts back the answer or the refusal with the log facts and FHIR reads it saw.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { HttpError } from '../http/http-error.ts';
import { answerHook, type HookSettings } from './answer-hook.ts';
import type { ThreadAsk, ThreadReply } from './hook-threads.ts';

const settings = (workerData as { settings: HookSettings }).settings;
const port = parentPort;
if (!port) throw new Error('hook-thread.ts runs as a worker thread');

port.on('message', (message: ThreadAsk) => {
  const reply: ThreadReply = { id: message.id, facts: {}, reads: [] };
  answerHook(message.ask, settings, {
    newId: randomUUID,
    facts: (facts) => Object.assign(reply.facts, facts),
    observeRead: (seconds, error) => reply.reads.push({ seconds, ...(error === undefined ? {} : { error }) }),
  }).then(
    (answer) => {
      try {
        port.postMessage({ ...reply, answer });
      } catch (error) {
        // An answer that cannot be copied fails its own call, not the thread and the calls waiting on it.
        port.postMessage({
          ...reply,
          failure: { message: `the answer could not be handed back: ${String(error)}`, stack: undefined },
        });
      }
    },
    (error: unknown) => {
      port.postMessage({
        ...reply,
        ...(error instanceof HttpError
          ? { refusal: { statusCode: error.statusCode, message: error.message } }
          : {
              failure: {
                message: error instanceof Error ? error.message : String(error),
                stack: error instanceof Error ? error.stack : undefined,
              },
            }),
      });
    },
  );
});
// A call that cannot be read could not be answered: the thread stops, and its waiting calls fail (500).
port.on('messageerror', (error) => {
  throw error;
});
port.postMessage({ ready: true });
