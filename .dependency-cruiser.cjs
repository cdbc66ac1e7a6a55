/** Layer rules from DEVELOPERS.md: domain is pure, app sees only domain and ports, only the composition root wires adapters. */
module.exports = {
  forbidden: [
    { name: 'domain-is-pure', severity: 'error', comment: 'src/domain imports nothing of ours outside itself',
      from: { path: '^src/domain' }, to: { path: '^src/(?!domain)' } },
    { name: 'domain-no-io', severity: 'error', comment: 'src/domain does no I/O',
      from: { path: '^src/domain' }, to: { dependencyTypes: ['core'], path: '^(fs|net|http|https|child_process|worker_threads|dgram)$' } },
    { name: 'app-sees-domain-and-ports', severity: 'error', comment: 'use cases depend on domain and ports only',
      from: { path: '^src/app' }, to: { path: '^src/(?!app|domain|ports|i18n)' } },
    { name: 'ports-are-interfaces', severity: 'error', from: { path: '^src/ports' }, to: { path: '^src/(?!ports|domain)' } },
    { name: 'adapters-not-wired-by-each-other-via-index', severity: 'error', from: { path: '^src/(?!index\\.ts)' }, to: { path: '^src/index\\.ts$' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
