import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Topics } from '@tern/contracts';
import { kafkaTopicsManifest } from './kafka-topics-manifest';
import { render, root, type K8sObject } from './render';
import { schemaErrors, unknownFieldErrors } from './schema-checks';

type Pod = {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: { matchExpressions: { key: string; operator: string; values: string[] }[] }[] } } };
  tolerations?: { key: string }[];
  initContainers?: Container[];
  containers: Container[];
};
type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
};

const overlays = ['dev', 'prod', 'operators'] as const;
const rendered = Object.fromEntries(overlays.map((o) => [o, render(`overlays/${o}`)])) as Record<(typeof overlays)[number], K8sObject[]>;
const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const podOf = (o: K8sObject) => (o.spec as { template: { metadata: { labels: Record<string, string> }; spec: Pod } }).template;
const gpuPool = (pod: Pod) => pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.flatMap((t) => t.matchExpressions).find((e) => e.key === 'tern.dev/pool');
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) => Boolean(selector) && Object.entries(selector!).every(([k, v]) => labels[k] === v);
const gpuStages = ['feature-extractor', 'fine-tuner'];
const services = readdirSync(path.join(root, 'apps')).filter((a) => a !== 'cli' && !a.endsWith('-e2e'));

describe('Kubernetes manifests (kustomize base + dev/prod/operators overlays), checked statically', () => {
  it.each(overlays)('%s: every object validates against the API schemas, with no unknown field', (overlay) => {
    const objects = rendered[overlay];
    expect(objects.length).toBeGreaterThan(20);
    expect(schemaErrors(objects)).toEqual([]);
    expect(unknownFieldErrors(objects)).toEqual([]);
  });

  it('the checks catch a broken manifest: a wrong type, a missing field and a misspelt field', () => {
    const deployment = structuredClone(ofKind(rendered.prod, 'Deployment')[0]!);
    (deployment.spec as Record<string, unknown>)['replicas'] = 'two';
    const container = podOf(deployment).spec.containers[0] as unknown as Record<string, unknown>;
    container['imagePullPolice'] = 'Always';
    delete container['name'];
    expect(schemaErrors([deployment]).join('\n')).toMatch(/replicas must be integer.*containers\/0 must have required property name/);
    expect(unknownFieldErrors([deployment]).join('\n')).toMatch(/imagePullPolice.* does not exist in type 'IContainer'/);
    const scaled = structuredClone(ofKind(rendered.prod, 'ScaledObject')[0]!);
    delete (scaled.spec as Record<string, unknown>)['scaleTargetRef'];
    expect(schemaErrors([scaled]).join('\n')).toMatch(/scaleTargetRef/);
  });

  it.each(overlays)('%s: a Deployment per service, each with a Service, a disruption budget, probes, limits, a non-root pod and network policies', (overlay) => {
    const objects = rendered[overlay];
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...services].sort());
    const policies = ofKind(objects, 'NetworkPolicy').map((p) => p.spec as { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[] });
    for (const d of deployments) {
      const { metadata, spec: pod } = podOf(d);
      const where = `${overlay} ${d.metadata.name}`;
      expect([where, metadata.labels['app.kubernetes.io/part-of']]).toEqual([where, 'tern']);
      expect([where, ofKind(objects, 'Service').some((s) => selects((s.spec as { selector: Record<string, string> }).selector, metadata.labels))]).toEqual([where, true]);
      expect([where, ofKind(objects, 'PodDisruptionBudget').some((p) => selects((p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, metadata.labels))]).toEqual([where, true]);
      const applying = policies.filter((p) => selects(p.podSelector.matchLabels ?? {}, metadata.labels) || Object.keys(p.podSelector.matchLabels ?? {}).length === 0);
      expect([where, applying.some((p) => p.policyTypes.includes('Ingress')), applying.some((p) => p.policyTypes.includes('Egress'))]).toEqual([where, true, true]);
      expect(pod.serviceAccountName).toBe('tern');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      // Everything that uses the database waits for the migration Job; the dashboard only talks to the api.
      expect([where, pod.initContainers?.map((c) => c.args)]).toEqual([where, d.metadata.name === 'dashboard' ? undefined : [['wait-for-migrations']]]);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect([where, c.name, c.image]).toEqual([where, c.name, expect.stringMatching(/:[\w.-]+$/)]);
        expect(c.image).not.toMatch(/:latest$/);
        expect([where, c.name, c.resources?.requests?.['cpu'], c.resources?.requests?.['memory'], c.resources?.limits?.['cpu'], c.resources?.limits?.['memory']].every((v) => v !== undefined)).toBe(true);
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      }
      const main = pod.containers[0]!;
      expect([where, Boolean(main.readinessProbe), Boolean(main.livenessProbe)]).toEqual([where, true, true]);
      expect(main.args ?? []).not.toContain('migrate'); // migrations run once, in the Job
    }
  });

  it('prod: the extractor and fine-tuner run on the GPU pool with a GPU each; nothing else lands there', () => {
    for (const d of [...ofKind(rendered.prod, 'Deployment'), ...ofKind(rendered.prod, 'Job')]) {
      const pod = (d.kind === 'Job' ? (d.spec as { template: { spec: Pod } }).template.spec : podOf(d).spec);
      const gpu = gpuStages.includes(d.metadata.name);
      const where = `${d.kind}/${d.metadata.name}`;
      expect([where, gpuPool(pod)]).toEqual([where, { key: 'tern.dev/pool', operator: gpu ? 'In' : 'NotIn', values: ['gpu'] }]);
      expect([where, pod.tolerations?.some((t) => t.key === 'nvidia.com/gpu') ?? false]).toEqual([where, gpu]);
      expect([where, pod.containers[0]!.resources?.limits?.['nvidia.com/gpu']]).toEqual([where, gpu ? '1' : undefined]);
      if (gpu) expect(pod.containers[0]!.image).toMatch(/-gpu:/);
      if (gpu) expect(pod.containers[0]!.env?.find((e) => e.name === 'TERN_TF_BACKEND')?.value).toBe('tensorflow-gpu');
    }
  });

  it('dev: the GPU stages run on CPU images, with no GPU request, affinity or toleration', () => {
    for (const name of gpuStages) {
      const pod = podOf(ofKind(rendered.dev, 'Deployment').find((d) => d.metadata.name === name)!).spec;
      expect(gpuPool(pod)?.operator).toBe('NotIn');
      expect(pod.tolerations).toBeUndefined();
      expect(JSON.stringify(pod.containers[0]!.resources)).not.toContain('nvidia.com/gpu');
      expect(pod.containers[0]!.image).toMatch(new RegExp(`^tern/${name}:dev$`));
      expect(pod.containers[0]!.env?.find((e) => e.name === 'TERN_TF_BACKEND')?.value).toBe('tensorflow');
    }
  });

  it('migrations and topics are one-off Jobs; no secret value is committed', () => {
    for (const overlay of overlays) {
      const jobs = ofKind(rendered[overlay], 'Job').map((j) => [j.metadata.name, (j.spec as { template: { spec: Pod } }).template.spec.containers[0]!.args]);
      expect(jobs).toEqual(expect.arrayContaining([['tern-migrate', ['migrate']]]));
      expect(ofKind(rendered[overlay], 'Secret')).toEqual([]);
      const refs = new Set<string>();
      JSON.stringify(rendered[overlay], (key, value: { name: string }) => (key === 'secretKeyRef' ? (refs.add(value.name), value) : value));
      expect([...refs].sort()).toEqual(overlay === 'operators' ? ['tern-api-bootstrap', 'tern-pg-app'] : ['tern-api-bootstrap', 'tern-database']);
    }
    expect(ofKind(rendered.operators, 'Job').map((j) => j.metadata.name)).toEqual(['tern-migrate']); // KafkaTopics replace the topic Job
  });

  it('autoscaling: the api on CPU (HPA); each heavy worker on the Kafka lag of its own consumer group and request topic', () => {
    const objects = rendered.prod;
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name)).toEqual(['api']);
    const requestTopic: Record<string, string> = { 'feature-extractor': Topics.extractionRequested, 'head-trainer': Topics.headTrainingRequested, 'fine-tuner': Topics.fineTuningRequested };
    const scaled = ofKind(objects, 'ScaledObject');
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual(Object.keys(requestTopic).sort());
    for (const s of scaled) {
      const spec = s.spec as { scaleTargetRef: { name: string }; triggers: { type: string; metadata: Record<string, string> }[] };
      const target = spec.scaleTargetRef.name;
      expect(ofKind(objects, 'Deployment').some((d) => d.metadata.name === target)).toBe(true);
      const groupInCode = /groupId: '([^']+)'/.exec(readFileSync(path.join(root, 'apps', target, 'src/main.ts'), 'utf8'))![1];
      expect(spec.triggers[0]).toMatchObject({ type: 'kafka', metadata: { consumerGroup: groupInCode, topic: requestTopic[target], bootstrapServersFromEnv: 'KAFKA_BROKERS' } });
    }
  });

  it('operators: Strimzi KRaft Kafka, a KafkaTopic for every contract topic and its DLQ (generated file is current), a CloudNativePG cluster', () => {
    const objects = rendered.operators;
    expect(readFileSync(path.join(root, 'k8s/overlays/operators/kafka-topics.yaml'), 'utf8')).toBe(kafkaTopicsManifest());
    const kafka = ofKind(objects, 'Kafka')[0]!;
    expect(kafka.metadata.annotations).toMatchObject({ 'strimzi.io/kraft': 'enabled', 'strimzi.io/node-pools': 'enabled' });
    expect(ofKind(objects, 'KafkaNodePool')[0]!.spec).toMatchObject({ roles: ['controller', 'broker'] });
    const topics = ofKind(objects, 'KafkaTopic').map((t) => (t.spec as { topicName: string }).topicName);
    expect(topics).toEqual(expect.arrayContaining([Topics.extractionRequested, `${Topics.extractionRequested}.dlq`, Topics.datasetRetrainRequested]));
    expect(ofKind(objects, 'Cluster')[0]!.spec).toMatchObject({ instances: 3 });
    const config = ofKind(objects, 'ConfigMap')[0]! as unknown as { data: Record<string, string> };
    expect(config.data['KAFKA_BROKERS']).toBe('tern-kafka-kafka-bootstrap:9092');
  });
});
