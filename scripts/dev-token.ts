/**
 * Prints a token from the development issuer, for calling a local service started with CDS_DEV_ISSUER=on:
 *   npm run -s dev-token -- /cds-services/opioid-pain-patient-view
 * The audience is PUBLIC_BASE_URL (default http://127.0.0.1:8080) + the path; the key is under DATA_DIR (default
 * ./data), created on first use. Each token is valid for 5 minutes and once (its jti).
 */
import { ConfigError, loadConfig } from '../src/config/load-config.ts';
import { devToken } from '../src/security/dev-issuer.ts';

const path = process.argv[2] ?? '/cds-services';
if (!path.startsWith('/')) {
  process.stderr.write('usage: npm run -s dev-token -- /cds-services/<service-id>\n');
  process.exit(2);
}
try {
  const config = loadConfig(process.env);
  process.stdout.write(`${await devToken(config.dataDir, `${config.publicBaseUrl}${path}`)}\n`);
} catch (error) {
  // A configuration or key-file problem is a message, not a stack trace.
  process.stderr.write(
    `dev-token: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(error instanceof ConfigError ? 2 : 1);
}
