/**
 * Process entry: configuration, logger, app, listen; closes gracefully on SIGINT/SIGTERM.
 */
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config/load-config.ts';
import { loggerOptions } from './platform/logger.ts';
import { storeFromConfig } from './storage/open-store.ts';

async function main(): Promise<void> {
  let config;
  try {
    // `--demo` (npm start): the demo with its embedded FHIR store, as DEMO=on does.
    config = loadConfig(process.argv.includes('--demo') ? { ...process.env, DEMO: 'on' } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino(loggerOptions(config.logLevel));
  let store;
  try {
    store = await storeFromConfig(config, {
      // The process that held the embedded database is gone (a crash, SIGKILL): said, since it should not happen.
      onStaleLock: (lock) => {
        logger.warn(lock, 'took over the lock of the embedded database: the process that held it is gone');
      },
    });
  } catch (error) {
    // The message names the store, never its credentials.
    logger.fatal(
      { error: error instanceof Error ? error.message.replace(/\/\/[^@/]*@/g, '//***@') : String(error) },
      config.databaseUrl
        ? 'could not open PostgreSQL (DATABASE_URL)'
        : `could not open the store under ${config.dataDir}`,
    );
    process.exit(1);
  }
  logger.info({ store: store.kind }, 'store ready');
  const app = buildApp({ config, logger, store });
  const close = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    // A dependency that stalls (a request waiting on it, a connection that never ends) must not hold the process:
    // the orchestrator would kill it without a word. Unref'd: a shutdown that finishes in time is not delayed.
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    // In-flight requests finish, queued audit records are written, then the store closes.
    app
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while closing');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
}

await main();
