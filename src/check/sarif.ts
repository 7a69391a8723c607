/**
 * SARIF 2.1.0 for code-scanning tools (GitHub code scanning and others): one result per failing
 * finding, located at the rendered file under gitops/<env>/ that holds the resource.
 */
import type { Finding } from './finding.js';
import { severityOf } from './severity.js';

export interface SarifInput {
  readonly findings: readonly Finding[];
  /** Finding resource (`Kind/ns/name`) → file path relative to the repository. */
  readonly files?: ReadonlyMap<string, string>;
  /** Or per finding, when one report spans several environments with the same resource names. */
  readonly fileOf?: (f: Finding) => string | undefined;
  /** Where findings that are not about one object point (the spec file). */
  readonly fallbackFile: string;
  readonly version: string;
}

const LEVEL = { high: 'error', medium: 'warning', low: 'note' } as const;

export function toSarif(input: SarifInput): Record<string, unknown> {
  const failing = input.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  const ruleIds = [...new Set(failing.map((f) => f.ruleId))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mlp',
            version: input.version,
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: id } })),
          },
        },
        results: failing.map((f) => {
          const file = input.fileOf?.(f) ?? input.files?.get(f.resource) ?? input.fallbackFile;
          const line = /:(\d+)$/.exec(f.resource);
          return {
            ruleId: f.ruleId,
            ruleIndex: ruleIds.indexOf(f.ruleId),
            level: LEVEL[severityOf(f)],
            message: { text: f.fix ? `${f.message} (fix: ${f.fix})` : f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: file },
                  ...(line ? { region: { startLine: Number(line[1]) } } : {}),
                },
                logicalLocations: [
                  { fullyQualifiedName: f.path ? `${f.resource}#${f.path}` : f.resource, kind: 'resource' },
                ],
              },
            ],
          };
        }),
      },
    ],
  };
}
