// @ts-check
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The domain: what an artifact is and what is done to it, with no idea of where it runs. */
const DOMAIN = ['oci', 'sbom', 'vuln', 'signing', 'attest', 'gate', 'ledger'];
/** Where AWS and the outside world are wired in. */
const OUTER = ['adapters', 'handlers', 'local', 'cli'];

const under = (dirs) => dirs.map((d) => `./lambdas/${d}`);

/**
 * The layers of lambdas/ (README, "Code layout"): core ← ports ← domain ← workflow ← adapters ←
 * handlers, local, cli. An arrow points at what a layer may import; nothing points back.
 */
const LAYER_ZONES = [
  {
    target: './lambdas/core',
    from: './lambdas',
    except: ['./core'],
    message: 'lambdas/core is the bottom layer: it imports nothing else under lambdas/.',
  },
  {
    target: './lambdas/ports',
    from: './lambdas',
    except: ['./core', './ports'],
    message: 'lambdas/ports imports only core and ports.',
  },
  ...DOMAIN.map((d) => ({
    target: `./lambdas/${d}`,
    from: under(['workflow', ...OUTER]),
    message: `the domain (lambdas/${d}) does not import the workflow, adapters, handlers, local or cli.`,
  })),
  {
    target: './lambdas/workflow',
    from: under(OUTER),
    message: 'lambdas/workflow does not import adapters, handlers, local or cli (they are wired in by the factories\' callers).',
  },
  {
    target: './lambdas/adapters',
    from: under(['handlers', 'local', 'cli', 'workflow']),
    message: 'lambdas/adapters implements ports; it does not import handlers, local, cli or the workflow.',
  },
  {
    target: ['./lib', './bin/app.ts'],
    from: './lambdas',
    // gate/environments.ts: environment policies are validated at synth with the gate's own parser.
    except: ['./core', './workflow/step-registry.ts', './gate/environments.ts'],
    message: 'the CDK app imports from lambdas/ only core/, workflow/step-registry.ts and gate/environments.ts (synth-time policy validation): it must not load step code.',
  },
];

/** Layers that never see AWS: the SDK and Powertools live in adapters/ and handlers/. */
const AWS_FREE = ['core', 'ports', ...DOMAIN, 'workflow'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', '.bench/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Type-aware: a promise nobody awaits loses its error; one passed where a void callback is
      // expected runs unobserved. Fire-and-forget is spelled `void p` with a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['lambdas/**/*.ts', 'lib/**/*.ts', 'bin/app.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // What import-x parses while following imports (no-cycle), and how it resolves them.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: LAYER_ZONES }],
    },
  },
  {
    files: AWS_FREE.map((d) => `lambdas/${d}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
              message: 'AWS lives in lambdas/adapters and lambdas/handlers; this layer talks to a port.',
            },
          ],
        },
      ],
    },
  },
);
