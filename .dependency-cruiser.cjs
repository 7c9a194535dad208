/**
 * The layering of src/, checked by `npm run lint` (STYLE.md "Layout shows the architecture").
 * Each folder may import only the folders listed for it: lower layers never import higher ones,
 * so no two folders import each other, nothing below `api/` imports it, and `runtime/` knows no
 * config. Tests (*.test.ts) may import test helpers and are left out of the layering.
 */
const LAYERS = {
  errors: [],
  lib: ['errors'],
  logging: ['errors', 'lib'],
  http: ['errors', 'lib', 'logging'],
  config: ['errors', 'lib', 'logging', 'runtime'],
  events: ['errors', 'config'],
  runtime: ['errors', 'lib', 'logging'],
  storage: ['errors', 'lib', 'logging', 'config', 'events', 'runtime'],
  gitclient: ['errors', 'lib', 'logging', 'http', 'config', 'events'],
  poller: ['errors', 'lib', 'logging', 'config', 'events', 'runtime', 'gitclient', 'storage'],
  trigger: ['errors', 'lib', 'logging', 'http', 'config', 'events', 'runtime', 'storage'],
  replicas: ['errors', 'lib', 'logging', 'runtime', 'storage', 'poller'],
  discovery: ['errors', 'lib', 'logging', 'config', 'runtime', 'gitclient', 'storage'],
  metrics: ['errors', 'lib', 'config', 'events', 'gitclient', 'storage', 'poller', 'trigger'],
  api: [
    'errors',
    'lib',
    'logging',
    'config',
    'events',
    'runtime',
    'gitclient',
    'storage',
    'poller',
    'metrics',
  ],
  demo: ['errors', 'lib', 'logging'],
  daemon: [
    'errors',
    'lib',
    'logging',
    'http',
    'config',
    'events',
    'runtime',
    'gitclient',
    'storage',
    'poller',
    'trigger',
    'metrics',
    'replicas',
    'discovery',
    'api',
  ],
};
const ALL = [...Object.keys(LAYERS), 'cli'];

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  name: `layer-${folder}`,
  comment: `src/${folder}/ may import only: ${allowed.join(', ') || 'nothing of src/'}`,
  severity: 'error',
  from: { path: `^src/${folder}/`, pathNot: '\\.test\\.ts$' },
  to: {
    path: `^src/(${ALL.filter((f) => f !== folder && !allowed.includes(f)).join('|')})/`,
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, at any distance.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'only-main-imports-cli',
      comment: 'cli/ is the top: only main.ts (and tests) import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/', '\\.test\\.ts$'] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'src-not-into-tests',
      comment: 'Code that ships never imports test helpers or the bench.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|bench|scripts)/' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
