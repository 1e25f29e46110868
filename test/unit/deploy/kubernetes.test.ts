// deploy/kubernetes: every manifest is a valid object of its Kubernetes API type (kubernetes-models:
// JSON schemas generated from the Kubernetes OpenAPI spec, compiled with ajv), the Deployment
// carries the security settings and probes a cluster relies on, its settings are ones the server
// accepts, and the kustomization applies every manifest. The pod itself runs in
// test/container/kube.test.ts (`podman kube play`).
import { readdirSync, readFileSync } from 'node:fs';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service, type IContainer, type IEnvVar } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config.js';
import { SETTINGS } from '../../../src/config-spec.js';
import { CANCEL_WAIT_MS } from '../../../src/server/shutdown.js';

const DIR = new URL('../../../deploy/kubernetes/', import.meta.url);
const read = (name: string): unknown => parse(readFileSync(new URL(name, DIR), 'utf8')) as unknown;
const manifestFiles = readdirSync(DIR).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml');

/** The model class for each apiVersion/kind the directory may hold. */
const MODELS: Record<string, (value: object) => { validate(): void }> = {
  'apps/v1 Deployment': (value) => new Deployment(value),
  'v1 Service': (value) => new Service(value),
  'policy/v1 PodDisruptionBudget': (value) => new PodDisruptionBudget(value),
  'autoscaling/v2 HorizontalPodAutoscaler': (value) => new HorizontalPodAutoscaler(value),
  'networking.k8s.io/v1 NetworkPolicy': (value) => new NetworkPolicy(value),
  'v1 Secret': (value) => new Secret(value),
};

function validate(value: unknown): void {
  const { apiVersion, kind } = value as { apiVersion?: string; kind?: string };
  const model = MODELS[`${apiVersion} ${kind}`];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  model(value as object).validate();
}

const deployment = read('deployment.yaml') as Deployment;
const pod = deployment.spec!.template.spec!;
const container = pod.containers[0] as IContainer;
const env = new Map((container.env ?? []).map((entry: IEnvVar) => [entry.name, entry]));
const plain = (name: string): string | undefined => env.get(name)?.value;

describe('deploy/kubernetes manifests', () => {
  it.each(manifestFiles)('%s is one valid object of its API type', (name) => {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    expect(text.split(/^---$/m)).toHaveLength(1);
    expect(() => validate(read(name))).not.toThrow();
  });

  it('the validator rejects what the API server would (a control)', () => {
    const broken = structuredClone(deployment) as unknown as {
      spec: { replicas: unknown; template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    broken.spec.replicas = 'two';
    expect(() => validate(broken)).toThrow(/replicas/);
    const badPort = structuredClone(deployment) as unknown as typeof broken;
    delete (badPort.spec.template.spec.containers[0]!.ports[0] as { containerPort?: unknown }).containerPort;
    expect(() => validate(badPort)).toThrow(/containerPort/);
    const policy = read('networkpolicy.yaml') as { spec: { egress: { ports: { protocol: string }[] }[] } };
    policy.spec.egress[0]!.ports[0]!.protocol = 'ICMP';
    expect(() => validate(policy)).toThrow(/protocol/);
  });

  it('the kustomization applies every manifest but the Secret example, and pins the image to this version', () => {
    const kustomization = read('kustomization.yaml') as { resources: string[]; images: { name: string; newTag: string }[] };
    expect([...kustomization.resources].sort()).toEqual(manifestFiles.filter((name) => !name.endsWith('.example.yaml')).sort());
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(kustomization.images).toEqual([expect.objectContaining({ name: container.image, newTag: pkg.version })]);
  });

  it('the Deployment runs two non-root pods with no privileges and a read-only root filesystem', () => {
    expect(deployment.spec!.replicas).toBe(2);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
    expect(container.securityContext?.privileged).toBeUndefined();
    // The image's user is `node`, uid 1000 in the Node base image.
    expect(readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8')).toMatch(/^USER node$/m);
    for (const kind of ['requests', 'limits'] as const) {
      expect(container.resources?.[kind]).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    }
  });

  it('both probes ask /healthz on the port the server listens on', () => {
    const port = container.ports!.find((p) => p.name === 'http')!;
    expect(port.containerPort).toBe(Number(plain('PORT')));
    expect(readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8')).toMatch(
      new RegExp(`^EXPOSE ${port.containerPort}$`, 'm'),
    );
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/healthz');
      expect([port.name, port.containerPort]).toContain(probe?.httpGet?.port);
    }
    const service = read('service.yaml') as Service;
    expect([port.name, port.containerPort]).toContain(service.spec!.ports![0]!.targetPort);
    expect(service.spec!.selector).toEqual(deployment.spec!.template.metadata!.labels);
  });

  it('termination grace outlasts the preStop pause, the drain grace and the cancel wait', () => {
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const pause = Number(preStop[1]);
    const drain = Number(plain('MCP_SHUTDOWN_GRACE_SECONDS'));
    expect(drain).toBeGreaterThan(0);
    // + 3 s: the server's own close wait (shutdown.ts CLOSE_WAIT_MS) before it forces its exit.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + drain + CANCEL_WAIT_MS / 1000 + 3);
  });

  it('serves stateless HTTP on all interfaces with the bearer token from the Secret', () => {
    expect(plain('TRANSPORT')).toBe('streamable-http');
    expect(plain('HOST')).toBe('0.0.0.0');
    expect(plain('MCP_STATELESS')).toBe('true');
    expect(env.get('MCP_AUTH_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'dockerhub-mcp', key: 'MCP_AUTH_TOKEN', optional: false });
    // Every credential comes from the Secret; none is written into the manifest.
    const secretKeys = new Set(SETTINGS.filter((s) => s.kind === 'secret').flatMap((s) => s.env));
    for (const [name, entry] of env) if (secretKeys.has(name)) expect(entry.value, name).toBeUndefined();
    // The example Secret holds the keys the Deployment reads, with no value in them.
    const example = read('secret.example.yaml') as { stringData: Record<string, string> };
    const referenced = [...env.values()].flatMap((entry) => (entry.valueFrom?.secretKeyRef ? [entry.valueFrom.secretKeyRef.key] : []));
    expect(Object.keys(example.stringData).sort()).toEqual(referenced.sort());
    expect(Object.values(example.stringData).every((value) => value === '')).toBe(true);
  });

  it('the server starts with exactly these settings (every name known, every value valid)', () => {
    const known = new Set(SETTINGS.flatMap((s) => s.env));
    for (const name of env.keys()) expect(known.has(name), name).toBe(true);
    const values = Object.fromEntries([...env].map(([name, entry]) => [name, entry.value ?? `secret-${name}`]));
    delete values.DOCKER_HUB_USER; // optional pair; the Secret holds both or neither
    delete values.DOCKER_HUB_TOKEN;
    const outcome = loadConfig({ argv: [], env: values });
    expect(outcome.kind).toBe('config');
  });

  it('egress goes only to DNS and HTTPS; ingress only to the MCP port', () => {
    const policy = read('networkpolicy.yaml') as NetworkPolicy;
    expect(policy.spec!.podSelector.matchLabels).toEqual(deployment.spec!.template.metadata!.labels);
    expect(policy.spec!.policyTypes).toEqual(['Ingress', 'Egress']);
    const egress = policy.spec!.egress!.flatMap((rule) => (rule.ports ?? []).map((p) => `${p.port}/${p.protocol}`));
    expect(egress.sort()).toEqual(['443/TCP', '53/TCP', '53/UDP']);
    // No rule without ports (that would open every port).
    expect(policy.spec!.egress!.every((rule) => (rule.ports ?? []).length > 0)).toBe(true);
    expect(policy.spec!.ingress!.flatMap((rule) => (rule.ports ?? []).map((p) => p.port))).toEqual([8000]);
  });

  it('the disruption budget and the autoscaler keep at least one pod and never go below the Deployment', () => {
    const pdb = read('pdb.yaml') as PodDisruptionBudget;
    expect(pdb.spec!.selector!.matchLabels).toEqual(deployment.spec!.template.metadata!.labels);
    expect(pdb.spec!.minAvailable).toBeGreaterThanOrEqual(1);
    const hpa = read('hpa.yaml') as HorizontalPodAutoscaler;
    expect(hpa.spec!.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata!.name });
    expect(hpa.spec!.minReplicas).toBe(deployment.spec!.replicas);
    expect(hpa.spec!.maxReplicas).toBeGreaterThan(hpa.spec!.minReplicas!);
  });
});
