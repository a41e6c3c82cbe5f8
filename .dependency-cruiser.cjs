/**
 * The layers of Policy Desk, top to bottom. A module may import from its own layer and the
 * layers below it, never from a layer above. Checked by test/unit/layers.test.ts (and by
 * `npx depcruise src ingest bin` by hand). Paths are relative to the project root.
 * Where each kind of change goes: docs/architecture.md.
 */
const LAYERS = [
  { name: 'front ends', paths: ['^bin/', '^src/cli/', '^src/slack/', '^src/console/'] },
  { name: 'composition root', paths: ['^src/app/'] },
  { name: 'domain', paths: ['^src/answer/', '^src/summarize/', '^src/comments/'] },
  { name: 'search and ingest', paths: ['^src/search/', '^ingest/', '^src/catalog/'] },
  { name: 'jobs and storage', paths: ['^src/jobs/', '^src/db/', '^src/net/'] },
  { name: 'bottom', paths: ['^src/config\\.ts$', '^src/errors\\.ts$', '^src/log\\.ts$', '^src/paths\\.ts$', '^src/text/', '^src/domain/'] },
];

const upward = LAYERS.flatMap((layer, i) =>
  i === 0
    ? []
    : [
        {
          name: `no-upward-from-${layer.name.replace(/\W+/g, '-')}`,
          comment: `${layer.name} may not import from ${LAYERS.slice(0, i).map((l) => l.name).join(', ')} (layers point down; a type two layers share lives in the lower one)`,
          severity: 'error',
          from: { path: layer.paths },
          to: { path: LAYERS.slice(0, i).flatMap((l) => l.paths) },
        },
      ],
);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'bolt-only-in-slack',
      comment: 'Only src/slack/ imports @slack/bolt (every other command starts without it)',
      severity: 'error',
      from: { pathNot: '^src/slack/' },
      to: { path: '(^|node_modules/)@slack/bolt(/|$)' },
    },
    {
      name: 'in-a-layer',
      comment: 'Every module under src/ belongs to one of the layers in .dependency-cruiser.cjs: add a new folder there',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flatMap((l) => l.paths) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|test|bench)/|\\.d\\.ts$' },
    // Type-only imports count: a type imported from above is an upward dependency too.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
