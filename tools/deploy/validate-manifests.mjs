// Validates Kubernetes objects (JSON array on stdin) against the API schemas of the pinned
// kubernetes-models packages (ESM-only, hence a separate process). Prints [{kind, name, error}].
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const { object, module } of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  try {
    const models = await import(module);
    const Model = models[object.kind];
    if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind} in ${module}`);
    new Model(object).validate();
    results.push({ name, error: null });
  } catch (error) {
    results.push({ name, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
