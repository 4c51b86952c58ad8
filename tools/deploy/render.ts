import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const root = path.resolve(__dirname, '../..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export function kustomizeBinary(): string {
  const bin = process.env['TERN_KUSTOMIZE'] ?? path.join(process.env['TERN_DATA_DIR'] ?? path.join(root, '.tern-data'), 'bin/kustomize');
  if (!existsSync(bin)) throw new Error(`kustomize not found at ${bin}: run bash scripts/test.sh (it builds it), or set TERN_KUSTOMIZE`);
  return bin;
}

/** `kustomize build k8s/<dir>`, parsed: what `kubectl apply -k` would send. */
export function render(dir: string): K8sObject[] {
  const out = execFileSync(kustomizeBinary(), ['build', path.join(root, 'k8s', dir)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => {
    if (d.errors.length) throw new Error(`kustomize output for ${dir} does not parse: ${d.errors[0]!.message}`);
    return d.toJSON() as K8sObject;
  });
}

/** Where the kubernetes-models packages keep each API group's classes and types. */
export function modelModule(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === 'kafka.strimzi.io') return `@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/${version}`;
  if (group === 'postgresql.cnpg.io') return `@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/${version}`;
  return `kubernetes-models/${group}/${version}`;
}
