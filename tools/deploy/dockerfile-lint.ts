import { existsSync } from 'node:fs';
import path from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
  stage: string;
}

/** Instructions with continuation lines joined and comments dropped; each tagged with its stage name. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = '';
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) start = i + 1;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage-${out.filter((x) => x.keyword === 'FROM').length}`;
    out.push({ keyword: keyword.toUpperCase(), args, line: start, stage });
    pending = '';
  });
  return out;
}

/**
 * Checks a Dockerfile against the rules the deployment relies on; returns the problems found.
 * `runtimeStages` are the targets that get deployed (non-root user, health check, entrypoint).
 */
export function lintDockerfile(text: string, opts: { context: string; runtimeStages: string[]; ignored: string[] }): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const args = new Map(instructions.filter((i) => i.keyword === 'ARG' && i.args.includes('=')).map((i) => [i.args.split('=')[0]!, i.args.split('=').slice(1).join('=')]));
  const stages = new Set(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.stage));
  for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
    const image = from.args.split(/\s+/)[0]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? `<unset ${name}>`);
    if (stages.has(image)) continue;
    const tag = image.includes('@sha256:') ? 'digest' : image.split('/').pop()!.split(':')[1];
    if (!tag) problems.push(`line ${from.line}: base image ${image} has no tag (pin a version)`);
    else if (tag === 'latest' || !/\d/.test(tag)) problems.push(`line ${from.line}: base image ${image} is not pinned to a version`);
  }
  for (const stage of opts.runtimeStages) {
    const own = instructions.filter((i) => i.stage === stage);
    if (own.length === 0) {
      problems.push(`no stage named ${stage}`);
      continue;
    }
    const user = own.filter((i) => i.keyword === 'USER').at(-1);
    if (!user || /^(root|0)(:|$)/.test(user.args)) problems.push(`stage ${stage}: the final USER must be a non-root user`);
    const lastRootWork = own.filter((i) => i.keyword === 'RUN').at(-1);
    if (user && lastRootWork && lastRootWork.line > user.line) problems.push(`stage ${stage}: RUN after USER at line ${lastRootWork.line}`);
    if (!own.some((i) => i.keyword === 'HEALTHCHECK')) problems.push(`stage ${stage}: no HEALTHCHECK`);
    if (!own.some((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD')) problems.push(`stage ${stage}: no ENTRYPOINT or CMD`);
  }
  // Dependency layers: the lockfile goes in before `npm ci`, and no source before it (cache reuse).
  for (const install of instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))) {
    const before = instructions.filter((i) => i.stage === install.stage && i.line < install.line && i.keyword === 'COPY');
    if (!before.some((c) => c.args.includes('package-lock.json'))) problems.push(`line ${install.line}: npm ci before package-lock.json is copied`);
    const sourcesOf = (c: { args: string }) => c.args.split(/\s+/).filter((p) => !p.startsWith('--')).slice(0, -1);
    const early = before.find((c) => sourcesOf(c).some((p) => p === '.' || /^(libs|apps)(\/|$)/.test(p)));
    if (early) problems.push(`line ${early.line}: sources copied before npm ci (line ${install.line}); every source change would reinstall dependencies`);
  }
  // Every path copied from the build context exists and is not excluded by .dockerignore.
  for (const copy of instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !/--from=/.test(i.args))) {
    const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const source of parts.slice(0, -1)) {
      if (!existsSync(path.join(opts.context, source))) problems.push(`line ${copy.line}: COPY source ${source} does not exist`);
      else if (opts.ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`))) problems.push(`line ${copy.line}: COPY source ${source} is excluded by .dockerignore`);
    }
  }
  for (const add of instructions.filter((i) => i.keyword === 'ADD')) problems.push(`line ${add.line}: use COPY, not ADD`);
  return problems;
}
