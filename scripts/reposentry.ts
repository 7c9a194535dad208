/** Runs the CLI from source with tsx: `npm run dev`, and tests that need the daemon as a separate process. */
import { main } from '../src/main.js';

process.exitCode = await main(process.argv.slice(2));
