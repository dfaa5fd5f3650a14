/**
 * Hook threads (ADR 0019): worker threads that answer CDS Hooks calls with answerHook while the event loop is busy
 * answering another, so that a service under load uses more than one core. Started when two calls first arrive
 * together (a process that is called one call at a time never starts one); until one is ready, every call is
 * answered on the event loop. A call goes to the ready thread with the fewest calls waiting, when one has fewer
 * than MAX_WAITING. A thread that stops (a crash, an out-of-memory kill) fails its waiting calls with an error
 * (500) and is replaced a second later (later each time one stops before it was ready, up to a minute). Threads
 * never hold the process open.
 */
import { Worker } from 'node:worker_threads';
import { HttpError } from '../http/http-error.ts';
import type { HookAnswer, HookAsk, HookFacts, HookIo, HookSettings } from './answer-hook.ts';

export interface ThreadAsk {
  readonly id: number;
  readonly ask: HookAsk;
}

export interface ThreadReply {
  readonly id: number;
  readonly facts: Record<string, HookFacts[string]>;
  readonly reads: { readonly seconds: number; readonly error?: string }[];
  readonly answer?: HookAnswer;
  readonly refusal?: { readonly statusCode: number; readonly message: string };
  readonly failure?: { readonly message: string; readonly stack: string | undefined };
}

/** A call's io but its ids (a thread makes its own), and where the call is answered, once that is decided. */
export type ThreadIo = Omit<HookIo, 'newId'> & {
  readonly placed?: (where: 'thread' | 'event-loop') => void;
};

export interface HookThreads {
  /**
   * The call answered on a thread or with `here` (on the event loop). Calls wait for the event loop's next turn,
   * when those that arrived together are all known (it reads every connection with data before it runs what was
   * set for its next turn): a lone call is answered here; of several, the threads take what they have room for and
   * the event loop answers the rest.
   */
  answer(ask: HookAsk, io: ThreadIo, here: () => Promise<HookAnswer>): Promise<HookAnswer>;
  close(): Promise<void>;
}

export interface ThreadProblems {
  /** A thread stopped unexpectedly; `waiting` calls failed with it. */
  stopped(error: Error, waiting: number): void;
}

interface Queued {
  readonly ask: HookAsk;
  readonly io: ThreadIo;
  readonly here: () => Promise<HookAnswer>;
  readonly resolve: (answer: HookAnswer) => void;
  readonly reject: (error: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  ready: boolean;
  readonly waiting: Map<number, Queued>;
}

const RESTART_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 60_000;
/**
 * Calls a thread holds at most (the one it works on and those queued behind it): beyond, the event loop answers
 * the call itself rather than queueing it behind others (a queue would only add their time to its latency).
 */
const MAX_WAITING = 8;

function settle(reply: ThreadReply, waiting: Queued): void {
  waiting.io.facts(reply.facts);
  for (const read of reply.reads) waiting.io.observeRead?.(read.seconds, read.error);
  if (reply.answer) waiting.resolve(reply.answer);
  else if (reply.refusal) waiting.reject(new HttpError(reply.refusal.statusCode, reply.refusal.message));
  else {
    const error = new Error(reply.failure?.message ?? 'the hook thread gave no answer');
    if (reply.failure?.stack !== undefined) error.stack = reply.failure.stack;
    waiting.reject(error);
  }
}

export function hookThreads(size: number, settings: HookSettings, problems: ThreadProblems): HookThreads {
  const threads: Thread[] = [];
  let next = 0;
  let started = false;
  let closed = false;
  /** Threads in a row that stopped before they were ready. */
  let failedStarts = 0;
  const restarts = new Set<NodeJS.Timeout>();

  const start = (): void => {
    const worker = new Worker(
      // From the sources (type stripping) or from the compiled dist/.
      new URL(`./hook-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
      { workerData: { settings } },
    );
    worker.unref();
    const thread: Thread = { worker, ready: false, waiting: new Map() };
    threads.push(thread);
    worker.on('message', (message: ThreadReply | { ready: true }) => {
      if ('ready' in message) {
        thread.ready = true;
        failedStarts = 0;
        return;
      }
      const waiting = thread.waiting.get(message.id);
      thread.waiting.delete(message.id);
      if (waiting) settle(message, waiting);
    });
    let failure: Error | undefined;
    worker.on('error', (error: Error) => {
      failure = error;
    });
    // A message that cannot be read would leave its call waiting for ever: the thread is replaced, and its
    // waiting calls fail.
    worker.on('messageerror', (error: Error) => {
      failure = error;
      void worker.terminate();
    });
    worker.on('exit', (code) => {
      threads.splice(threads.indexOf(thread), 1);
      const error = failure ?? new Error(`the hook thread stopped (exit code ${code})`);
      for (const waiting of thread.waiting.values()) waiting.reject(error);
      if (closed) return;
      problems.stopped(error, thread.waiting.size);
      thread.waiting.clear();
      // A thread that stops before it was ready (a module that does not load) would stop again: each such stop
      // doubles the wait before the next start, up to a minute.
      if (!thread.ready) failedStarts++;
      const timer = setTimeout(
        () => {
          restarts.delete(timer);
          if (!closed) start();
        },
        Math.min(RESTART_MAX_DELAY_MS, RESTART_DELAY_MS * 2 ** failedStarts),
      );
      timer.unref();
      restarts.add(timer);
    });
  };

  const queue: Queued[] = [];
  let scheduled = false;
  const roomiest = (): Thread | undefined => {
    let chosen: Thread | undefined;
    for (const thread of threads)
      if (thread.ready && (!chosen || thread.waiting.size < chosen.waiting.size)) chosen = thread;
    return chosen && chosen.waiting.size < MAX_WAITING ? chosen : undefined;
  };
  const runHere = (call: Queued): void => {
    call.io.placed?.('event-loop');
    call.here().then(call.resolve, call.reject);
  };
  const drain = (): void => {
    scheduled = false;
    if (queue.length === 1 || closed) {
      for (const call of queue.splice(0)) runHere(call);
      return;
    }
    if (!started) {
      started = true;
      try {
        for (let i = 0; i < size; i++) start();
      } catch (error) {
        // No thread (the platform refuses one): the calls are answered here, now and later.
        closed = true;
        problems.stopped(error instanceof Error ? error : new Error(String(error)), 0);
      }
    }
    for (let thread = roomiest(); thread && queue.length > 0; thread = roomiest()) {
      const call = queue.shift() as Queued;
      const id = ++next;
      thread.waiting.set(id, call);
      call.io.placed?.('thread');
      thread.worker.postMessage({ id, ask: call.ask } satisfies ThreadAsk);
    }
    for (const call of queue.splice(0)) runHere(call);
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  return {
    answer(ask, io, here) {
      if (closed) {
        io.placed?.('event-loop');
        return here();
      }
      return new Promise<HookAnswer>((resolve, reject) => {
        queue.push({ ask, io, here, resolve, reject });
        schedule();
      });
    },
    async close() {
      closed = true;
      for (const timer of restarts) clearTimeout(timer);
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
