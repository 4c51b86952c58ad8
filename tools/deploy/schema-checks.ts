import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { modelModule, root, type K8sObject } from './render';

/** Schema validation (types, formats, required fields) by the kubernetes-models validators. */
export function schemaErrors(objects: K8sObject[]): string[] {
  const input = JSON.stringify(objects.map((object) => ({ object, module: modelModule(object.apiVersion) })));
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-manifests.mjs')], { input, encoding: 'utf8', cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(out) as { name: string; error: string | null }[]).filter((r) => r.error).map((r) => `${r.name}: ${r.error}`);
}

/**
 * Unknown fields (a typo such as `imagePullPolice`): the validators allow extra properties, so each
 * object is also type-checked as an object literal of its kubernetes-models interface; TypeScript's
 * excess-property check names every field the API does not have.
 */
export function unknownFieldErrors(objects: K8sObject[]): string[] {
  const dir = mkdtempSync(path.join(root, '.tern-data', 'manifest-types-'));
  try {
    const imports = new Map<string, Set<string>>();
    const lines = objects.map((o, i) => {
      const module = modelModule(o.apiVersion);
      imports.set(module, (imports.get(module) ?? new Set()).add(`I${o.kind}`));
      return `// ${o.kind}/${o.metadata.name}\nexport const o${i}: I${o.kind} = ${JSON.stringify(o)};`;
    });
    const header = [...imports].map(([module, types]) => `import type { ${[...types].join(', ')} } from '${module}';`);
    writeFileSync(path.join(dir, 'objects.mts'), `${header.join('\n')}\n${lines.join('\n')}\n`);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['objects.mts'] }));
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    if (tsc.status === 0) return [];
    const source = lines.join('\n').split('\n');
    return tsc.stdout
      .split('\n')
      .filter((l) => l.includes('error TS'))
      .map((l) => {
        const line = Number(/\((\d+),\d+\)/.exec(l)?.[1] ?? 0) - header.length - 1;
        return `${source[line - 1]?.replace('// ', '') ?? '?'}: ${l.slice(l.indexOf('error TS'))}`;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
