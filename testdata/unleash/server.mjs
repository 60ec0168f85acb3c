// Entry point used by .ci/unleash.sh: starts unleash-server (ESM, v8) from the
// cache dir given in SITREP_UNLEASH_HOME. All settings come from the
// environment (DATABASE_URL, HTTP_HOST, HTTP_PORT, INIT_ADMIN_API_TOKENS, ...).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const home = process.env.SITREP_UNLEASH_HOME || '/var/tmp/sitrep-unleash';
const require = createRequire(join(home, 'package.json'));
const entry = require.resolve('unleash-server');
const { start } = await import(pathToFileURL(entry).href);

try {
    await start({});
} catch (err) {
    console.error(err);
    process.exit(1);
}
