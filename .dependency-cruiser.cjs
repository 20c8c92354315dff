/**
 * The import rules between procspec's layers (docs/architecture.md draws
 * them). `npm test` runs `depcruise` with this file: a new import that goes
 * against a rule fails the tests.
 *
 * Layers, lowest first; a layer imports only layers below it:
 *   runtime/model       the checked spec model, its paths, its measures (imports the typed errors only)
 *   runtime/core        the parse core: scanner, errors, parse context, pieces (no I/O)
 *   generated           the parsers, types and metadata made from specs/
 *   runtime/reading     reading files: read strategies, native reader, paths, system facts
 *   runtime/processes   the process table: listing, batches, refresh mode (monitor)
 *   runtime/accounting  netlink: taskstats, cgroupstats; pressure triggers
 *   runtime/api         ProcFs
 *   runtime/index.ts    the package's entry: re-exports only
 *   exporter            the Prometheus exporter: the public API, the model and the registry; used by the CLI
 * Authoring and tools beside them: generator (imports only the model),
 * cli, tools; test and bench import anything and nothing imports them.
 */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|dgram|child_process|os|worker_threads|http|https|cluster|dns|tls)$';

/** A `to` for every project folder except the ones named. */
const outside = (...allowed) => ({
  path: '^(runtime|generated|generator|cli|tools|test|bench|examples)/',
  pathNot: allowed.map((a) => `^${a}`),
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes the order modules load in matter and hides which layer a module is in.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-is-the-base',
      comment: 'The spec model (and how its paths name files) is shared by the generator and the runtime: it imports only the typed errors.',
      severity: 'error',
      from: { path: '^runtime/model/' },
      to: outside('runtime/model/', 'runtime/core/errors\\.ts$'),
    },
    {
      name: 'core-imports-only-the-model',
      comment: 'The parse core is what generated parsers import: nothing that reads, lists or talks to the kernel.',
      severity: 'error',
      from: { path: '^runtime/core/' },
      to: outside('runtime/core/', 'runtime/model/'),
    },
    {
      name: 'core-does-no-io',
      comment: 'The parse core turns bytes into values: no files, sockets, processes or threads.',
      severity: 'error',
      from: { path: '^runtime/core/' },
      to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
    {
      name: 'generated-imports-only-the-core',
      comment: 'Generated code depends on the parse core and the model, never on how files are read.',
      severity: 'error',
      from: { path: '^generated/' },
      to: outside('generated/', 'runtime/core/', 'runtime/model/'),
    },
    {
      name: 'reading-is-below-its-users',
      comment: 'Reading knows nothing of the process table, accounting or ProcFs.',
      severity: 'error',
      from: { path: '^runtime/reading/' },
      to: outside('runtime/reading/', 'runtime/core/', 'runtime/model/', 'generated/'),
    },
    {
      name: 'processes-build-on-reading',
      comment: 'The process table reads through runtime/reading; it does not use ProcFs or accounting.',
      severity: 'error',
      from: { path: '^runtime/processes/' },
      to: outside('runtime/processes/', 'runtime/reading/', 'runtime/core/', 'runtime/model/', 'generated/'),
    },
    {
      name: 'monitor-uses-the-listing-api',
      comment: 'The refresh-mode monitor (monitor.ts and its monitor-*.ts parts) is built on the listing modules the way any caller could: not on their private helpers.',
      severity: 'error',
      from: { path: '^runtime/processes/monitor' },
      to: { path: '^runtime/processes/internal/' },
    },
    {
      name: 'listing-internals-stay-in-the-listing',
      comment: 'runtime/processes/internal/ holds helpers private to the listing modules: the rest of the product uses their exported modules.',
      severity: 'error',
      from: { path: '^(runtime|generated|generator|cli|tools|examples)/', pathNot: '^runtime/processes/' },
      to: { path: '^runtime/processes/internal/' },
    },
    {
      name: 'accounting-builds-on-reading',
      comment: 'The kernel accounting interfaces stand beside the process table, not on it.',
      severity: 'error',
      from: { path: '^runtime/accounting/' },
      to: outside('runtime/accounting/', 'runtime/reading/', 'runtime/core/', 'runtime/model/', 'generated/'),
    },
    {
      name: 'api-is-below-the-entry',
      comment: 'ProcFs uses every runtime layer; only the package entry and the CLI stand above it.',
      severity: 'error',
      from: { path: '^runtime/api/' },
      to: outside('runtime/api/', 'runtime/processes/', 'runtime/accounting/', 'runtime/reading/', 'runtime/core/', 'runtime/model/', 'generated/'),
    },
    {
      name: 'entry-only-re-exports-runtime',
      comment: 'runtime/index.ts is the package entry: it re-exports the runtime and the generated parsers.',
      severity: 'error',
      from: { path: '^runtime/index\\.ts$' },
      to: outside('runtime/', 'generated/'),
    },
    {
      name: 'exporter-uses-the-public-api',
      comment: 'The exporter stands on what a program embedding procspec sees: the entry, the spec model and the generated registry, never runtime internals, the generator or the CLI.',
      severity: 'error',
      from: { path: '^exporter/' },
      to: { path: '^(runtime|generated|generator|cli|tools|test|bench|examples)/', pathNot: ['^runtime/index\\.ts$', '^runtime/model/', '^generated/'] },
    },
    {
      name: 'exporter-is-used-by-the-cli',
      comment: 'Only the CLI (procspec serve) and the tests import the exporter: the runtime, the generator and the tools stand below it or beside it.',
      severity: 'error',
      from: { path: '^(runtime|generated|generator|tools|bench|examples)/' },
      to: { path: '^exporter/' },
    },
    {
      name: 'generator-imports-only-the-model',
      comment: 'The generator reads specs and writes generated/: of the runtime it needs only the model it fills in.',
      severity: 'error',
      from: { path: '^generator/' },
      to: outside('generator/', 'runtime/model/'),
    },
    {
      name: 'cli-is-on-top',
      comment: 'The CLI uses the runtime, the generator (new-spec) and the authoring tools; it is not imported by them.',
      severity: 'error',
      from: { path: '^(runtime|generated|generator|tools)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'nothing-imports-tests-or-benchmarks',
      comment: 'Tests and benchmarks sit outside the product; only the fixture tools reuse the test support code.',
      severity: 'error',
      from: { pathNot: '^(test|bench|tools)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|native/build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.d.ts'], mainFields: ['module', 'main', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
