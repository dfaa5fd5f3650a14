/**
 * A real FHIR R4 server for the integration tests, chosen in this order and announced on stderr:
 *   1. FHIR_BASE_URL: any FHIR R4 server you run yourself (nothing is started or stopped);
 *   2. a Docker engine (testcontainers): the pinned hapiproject/hapi image, waiting on /fhir/metadata;
 *   3. Java 17+ and Maven: the project's HAPI FHIR JPA launcher (test/hapi-server), built once (cached in
 *      test/hapi-server/target and ~/.m2) and started on a free port.
 * With none of them it throws, saying how to get one: integration tests never skip silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitForFhir } from '../../synthetic/load-into-fhir.ts';
import { freePort } from '../../helpers/free-port.ts';

export const HAPI_IMAGE = 'hapiproject/hapi:v8.8.0-1';
export const LAUNCHER_DIR = join(import.meta.dirname, '../../hapi-server');
export const LAUNCHER_JAR = join(LAUNCHER_DIR, 'target/hapi-test-server.jar');
/** Start-up on 2 cores takes about a minute; allow for a slow machine. */
const START_TIMEOUT_MS = Number(process.env.HAPI_START_TIMEOUT_MS ?? 300_000);

export interface RunningFhirServer {
  readonly baseUrl: string;
  /** How it was obtained, for the test log and the report. */
  readonly kind: 'external' | 'testcontainers' | 'maven-launcher';
  readonly timings: { readonly buildMs?: number; readonly startMs: number };
  /** Stops it (an external server is left alone: returns false). */
  stop(): Promise<boolean>;
}

const say = (message: string): void => {
  process.stderr.write(`[fhir-server] ${message}\n`);
};

async function dockerAvailable(): Promise<boolean> {
  if (process.env.FHIR_TEST_NO_DOCKER === '1') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<RunningFhirServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  say(`starting ${HAPI_IMAGE} with testcontainers`);
  const started = Date.now();
  const container = await new GenericContainer(HAPI_IMAGE)
    .withExposedPorts(8080)
    .withEnvironment({
      'hapi.fhir.fhir_version': 'R4',
      'hapi.fhir.reuse_cached_search_results_millis': '0',
      'hapi.fhir.allow_external_references': 'true',
    })
    .withWaitStrategy(Wait.forHttp('/fhir/metadata', 8080).forStatusCode(200))
    .withStartupTimeout(START_TIMEOUT_MS)
    .start();
  const baseUrl = `http://${container.getHost()}:${container.getMappedPort(8080)}/fhir`;
  return {
    baseUrl,
    kind: 'testcontainers',
    timings: { startMs: Date.now() - started },
    stop: async () => {
      await container.stop();
      return true;
    },
  };
}

function has(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'target') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the launcher unless its jar is newer than every source file. Returns the build time, if it built. */
function buildLauncher(): number | undefined {
  if (existsSync(LAUNCHER_JAR) && statSync(LAUNCHER_JAR).mtimeMs >= newestSource(LAUNCHER_DIR)) {
    say(`using the built launcher ${LAUNCHER_JAR}`);
    return undefined;
  }
  say('building the HAPI FHIR launcher with Maven (the first build downloads a few hundred MB into ~/.m2)');
  const started = Date.now();
  const result = spawnSync('mvn', ['-q', '-B', '-Dstyle.color=never', 'package', '-DskipTests'], {
    cwd: LAUNCHER_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(`the HAPI FHIR launcher did not build (mvn exit ${result.status})`);
  const ms = Date.now() - started;
  say(`built in ${(ms / 1000).toFixed(0)} s`);
  return ms;
}

async function startLauncher(): Promise<RunningFhirServer> {
  const buildMs = buildLauncher();
  const port = await freePort();
  const logDir = join(import.meta.dirname, '../../../test-results');
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, 'hapi-server.log'), 'w');
  say(`starting the HAPI FHIR launcher on 127.0.0.1:${port} (log: test-results/hapi-server.log)`);
  const started = Date.now();
  const child: ChildProcess = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xmx1536m',
      '-jar',
      LAUNCHER_JAR,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
    ],
    { stdio: ['ignore', log, log] },
  );
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`the HAPI FHIR launcher exited (${code}); see test-results/hapi-server.log`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}/fhir`;
  try {
    await Promise.race([waitForFhir(baseUrl, START_TIMEOUT_MS), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined);
  const startMs = Date.now() - started;
  say(`HAPI FHIR answered /metadata after ${(startMs / 1000).toFixed(0)} s`);
  return {
    baseUrl,
    kind: 'maven-launcher',
    timings: { ...(buildMs === undefined ? {} : { buildMs }), startMs },
    stop: async () => {
      if (child.exitCode !== null) return true;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
      return true;
    },
  };
}

export async function startFhirServer(): Promise<RunningFhirServer> {
  const external = process.env.FHIR_BASE_URL?.replace(/\/+$/, '');
  if (external) {
    say(`using FHIR_BASE_URL=${external}`);
    const started = Date.now();
    await waitForFhir(external, 30_000);
    return {
      baseUrl: external,
      kind: 'external',
      timings: { startMs: Date.now() - started },
      stop: () => Promise.resolve(false),
    };
  }
  if (await dockerAvailable()) return startContainer();
  if (has('java', ['-version']) && has('mvn', ['-v'])) return startLauncher();
  throw new Error(
    'The integration tests need a FHIR R4 server and found none. Any one of these works:\n' +
      '  - set FHIR_BASE_URL to a FHIR R4 server you run (e.g. http://localhost:8090/fhir from docker compose);\n' +
      `  - run a Docker engine: the tests start ${HAPI_IMAGE} with testcontainers;\n` +
      '  - install Java 17+ and Maven (Debian: apt-get install openjdk-17-jdk-headless maven): the tests build\n' +
      '    and start the HAPI FHIR launcher in test/hapi-server (Maven Central must be reachable).',
  );
}
