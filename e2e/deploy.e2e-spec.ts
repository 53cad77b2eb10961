// The deployment descriptions, checked offline: the Kustomize overlays render with kubectl and every
// built-in object validates against the Kubernetes schema (kubernetes-models), with the properties
// operations rely on; docker-compose.yml validates against the Compose specification.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { DOCKER_COMPOSE, freePort, requirePrerequisite, ServiceName, ServiceProcess } from '@parley/testing';

const ROOT = resolve(__dirname, '..');

// Rendered manifests are read field by field; `any` keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;
type Labels = Record<string, string>;

const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'policy/v1': policyV1,
  'autoscaling/v2': autoscalingV2,
  'networking.k8s.io/v1': networkingV1,
};
/** Custom resources: not validated here (no schema offline), but expected exactly where listed. */
const CUSTOM_RESOURCES = [
  'postgresql.cnpg.io/v1 Cluster',
  'postgresql.cnpg.io/v1 ScheduledBackup',
  'barmancloud.cnpg.io/v1 ObjectStore',
];
const SERVICES = ['gateway', 'conversation', 'delivery', 'history', 'mail'];
const DATABASE_CLIENTS = ['conversation', 'delivery', 'history', 'mail'];
/** Secrets that an overlay references but does not render: created by an operator or CloudNativePG. */
const EXTERNAL_SECRETS: Record<string, string[]> = {
  dev: [],
  production: [
    'parley-gateway',
    'parley-db-app',
    'parley-nats-users',
    'parley-secret-key',
    'parley-content-key',
    'parley-mail',
  ],
};
/**
 * Stand-ins for the values of EXTERNAL_SECRETS, in the form an operator gives them (docs/operations.md),
 * so that a service can be started with everything else exactly as the overlay renders it.
 */
const EXTERNAL_SECRET_VALUES: Record<string, string> = {
  'parley-gateway/PARLEY_ADMIN_TOKEN': 'operator-generated-admin-token-7d1c0a9e5b',
  'parley-gateway/PARLEY_JWT_SECRET': 'operator-generated-jwt-secret-4f0e9a2c6b1d8e3f7a5c',
  'parley-db-app/uri': 'postgresql://app:generated@parley-db-rw.parley:5432/app',
  'parley-secret-key/PARLEY_SECRET_KEY': 'k1:b3BlcmF0b3ItZ2VuZXJhdGVkIGtleTogMzIgYnl0ZXM=',
  'parley-content-key/PARLEY_CONTENT_KEY': 'c1:b3BlcmF0b3IgbWFkZSBjb250ZW50IGtleSwgMzIgYnk=',
  'parley-mail/PARLEY_SMTP_URL': 'smtp://parley:operator-generated-smtp-password@smtp.example.com:587',
  ...Object.fromEntries(
    ['gateway', 'conversation', 'delivery', 'history', 'mail', 'operator'].map((user) => [
      `parley-nats-users/${user}`,
      `operator-generated-nats-${user}-password`,
    ]),
  ),
};

/** The environment nats-server resolves the users' passwords from (authorization.conf). */
const NATS_PASSWORDS = {
  NATS_GATEWAY_PASSWORD: 'a-gateway-password',
  NATS_CONVERSATION_PASSWORD: 'a-conversation-password',
  NATS_DELIVERY_PASSWORD: 'a-delivery-password',
  NATS_HISTORY_PASSWORD: 'a-history-password',
  NATS_MAIL_PASSWORD: 'a-mail-password',
  NATS_OPERATOR_PASSWORD: 'an-operator-password',
};
const OVERLAYS = ['dev', 'production'] as const;
type Overlay = (typeof OVERLAYS)[number];

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: 'utf8',
  });
  if (result.error) {
    throw new Error(
      `cannot run \`${command}\` (${result.error.message}); it is required for this test` +
        (command === 'kubectl' ? ': install kubectl (1.32, with kustomize)' : ''),
    );
  }
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` exited ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

function render(overlay: Overlay): Manifest[] {
  const output = run('kubectl', ['kustomize', `deploy/overlays/${overlay}`]);
  return parseAllDocuments(output).map((doc) => {
    if (doc.errors.length)
      throw new Error(`kubectl kustomize printed invalid YAML: ${doc.errors[0].message}`);
    return doc.toJSON();
  });
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * Runs `nats-server -t` on a configuration (with `args`, as a container would start it, and the
 * files it includes beside it) and returns what it printed and its exit code. nats-server before 2.10 does not know `sync_interval` (2.10.0
 * added it; the images are 2.11): such a binary checks the rest of the file without that line.
 */
function checkNatsConfig(
  conf: string,
  args: string[] = [],
  env: Record<string, string> = {},
  included: Record<string, string> = {},
): { status: number | null; output: string } {
  const version = spawnSync(NATS_SERVER, ['--version'], { encoding: 'utf8' });
  if (version.error) throw new Error(`nats-server is required for this test: ${version.error.message}`);
  const [major, minor] = (/v(\d+)\.(\d+)/.exec(version.stdout + version.stderr) ?? []).slice(1).map(Number);
  const knowsSyncInterval = major > 2 || (major === 2 && minor >= 10);
  const dir = mkdtempSync(join(tmpdir(), 'parley-nats-conf-'));
  try {
    const file = join(dir, 'nats.conf');
    for (const [name, text] of Object.entries(included)) writeFileSync(join(dir, name), text);
    writeFileSync(file, knowsSyncInterval ? conf : conf.replace(/^\s*sync_interval:.*$/gm, ''));
    const result = spawnSync(NATS_SERVER, ['-t', '-c', file, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isBuiltIn = (apiVersion: string) => !apiVersion.includes('.') || /\.k8s\.io\//.test(apiVersion);
const selects = (selector: Labels | undefined, labels: Labels) =>
  !!selector && Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('Kubernetes manifests (kubectl kustomize deploy/overlays/*)', () => {
  const rendered = {} as Record<Overlay, Manifest[]>;

  beforeAll(() => {
    for (const overlay of OVERLAYS) rendered[overlay] = render(overlay);
  });

  const all = (overlay: Overlay, kind: string) => rendered[overlay].filter((o) => o.kind === kind);
  const one = (overlay: Overlay, kind: string, name: string) => {
    const found = rendered[overlay].find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${overlay}: no ${kind} ${name}`);
    return found;
  };
  const workloads = (overlay: Overlay) => [...all(overlay, 'Deployment'), ...all(overlay, 'StatefulSet')];

  it.each(OVERLAYS)('%s: every built-in object validates against the Kubernetes schema', (overlay) => {
    const custom: string[] = [];
    let validated = 0;
    for (const object of rendered[overlay]) {
      const id = `${object.apiVersion} ${object.kind}`;
      if (!isBuiltIn(object.apiVersion)) {
        custom.push(id);
        continue;
      }
      const Model = MODELS[object.apiVersion]?.[object.kind] as
        (new (data: unknown) => { validate(): void }) | undefined;
      if (!Model)
        throw new Error(`${id} ${object.metadata.name}: no kubernetes-models class registered in this test`);
      // kustomize folds long base64 values over lines; the API server's decoder skips the newlines.
      const data = object.kind === 'Secret' ? Object.entries(object.data ?? {}) : [];
      for (const [key, value] of data) object.data[key] = String(value).replace(/\s/g, '');
      try {
        new Model(object).validate();
      } catch (error) {
        throw new Error(`${overlay}: ${id} ${object.metadata.name} is invalid: ${(error as Error).message}`);
      }
      validated++;
    }
    expect(validated).toBeGreaterThan(30);
    for (const id of custom) expect(CUSTOM_RESOURCES).toContain(id);
    expect(custom.sort()).toEqual(overlay === 'production' ? [...CUSTOM_RESOURCES].sort() : []);
  });

  it.each(OVERLAYS)('%s: everything namespaced lives in the restricted namespace "parley"', (overlay) => {
    const namespace = one(overlay, 'Namespace', 'parley');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const object of rendered[overlay].filter((o) => o.kind !== 'Namespace')) {
      expect(`${object.kind} ${object.metadata.name} in ${object.metadata.namespace}`).toBe(
        `${object.kind} ${object.metadata.name} in parley`,
      );
      expect(object.metadata.labels?.['app.kubernetes.io/part-of']).toBe('parley');
    }
  });

  it.each(OVERLAYS)(
    '%s: every container has probes, requests and limits, a pinned image and a locked-down security context',
    (overlay) => {
      const list = workloads(overlay);
      expect(list.map((w) => w.metadata.name).sort()).toEqual(
        [...SERVICES, 'nats', ...(overlay === 'dev' ? ['postgres'] : [])].sort(),
      );
      for (const workload of list) {
        const pod = workload.spec.template.spec;
        const where = `${overlay} ${workload.kind} ${workload.metadata.name}`;
        expect([where, pod.automountServiceAccountToken]).toEqual([where, false]);
        const account = one(overlay, 'ServiceAccount', pod.serviceAccountName);
        expect([where, account.automountServiceAccountToken]).toEqual([where, false]);
        expect([where, pod.securityContext.runAsNonRoot, pod.securityContext.seccompProfile]).toEqual([
          where,
          true,
          { type: 'RuntimeDefault' },
        ]);
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
          const what = `${where} container ${container.name}`;
          expect([what, !!container.readinessProbe, !!container.livenessProbe]).toEqual([what, true, true]);
          for (const bound of ['requests', 'limits']) {
            expect([what, bound, Object.keys(container.resources?.[bound] ?? {}).sort()]).toEqual([
              what,
              bound,
              ['cpu', 'memory'],
            ]);
          }
          expect(container.image).toMatch(/^[\w./-]+:[\w.-]+$/);
          expect(container.image).not.toMatch(/:latest$/);
          expect([what, container.securityContext]).toEqual([
            what,
            expect.objectContaining({
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            }),
          ]);
        }
      }
    },
  );

  it.each(OVERLAYS)(
    '%s: the services probe /health/ready and /health/live, mount /tmp and have time to drain',
    (overlay) => {
      const config = all(overlay, 'ConfigMap').find((c) => c.metadata.name.startsWith('parley-config'));
      const shutdownMs = Number(config.data.PARLEY_SHUTDOWN_TIMEOUT_MS);
      expect(shutdownMs).toBe(20_000);
      for (const name of SERVICES) {
        const deployment = one(overlay, 'Deployment', name);
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
        expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(container.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
        const tmp = container.volumeMounts.find((m: Manifest) => m.mountPath === '/tmp');
        expect(pod.volumes.find((v: Manifest) => v.name === tmp?.name)?.emptyDir).toBeDefined();
        const pause = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + shutdownMs / 1000 + 5);
        expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
        // The HPA owns the replica count.
        expect(deployment.spec.replicas).toBeUndefined();
      }
    },
  );

  it.each(OVERLAYS)(
    '%s: every workload has a PodDisruptionBudget that lets one pod go at a time',
    (overlay) => {
      const budgets = all(overlay, 'PodDisruptionBudget');
      for (const workload of workloads(overlay)) {
        const covering = budgets.filter((b) =>
          selects(b.spec.selector.matchLabels, workload.spec.template.metadata.labels),
        );
        expect([workload.metadata.name, covering.length]).toEqual([workload.metadata.name, 1]);
        expect(covering[0].spec.maxUnavailable).toBe(1);
      }
    },
  );

  it.each(OVERLAYS)(
    '%s: every service is scaled by an autoscaling/v2 HorizontalPodAutoscaler on CPU',
    (overlay) => {
      for (const name of SERVICES) {
        const hpa = all(overlay, 'HorizontalPodAutoscaler').find(
          (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name,
        );
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec.metrics).toEqual([
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ]);
        expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
        const minimum = overlay === 'dev' ? 1 : name === 'gateway' ? 3 : 2;
        expect([name, hpa.spec.minReplicas]).toEqual([name, minimum]);
      }
    },
  );

  it.each(OVERLAYS)('%s: NATS is a three-node JetStream cluster with file storage on volumes', (overlay) => {
    const nats = one(overlay, 'StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    expect(nats.spec.podManagementPolicy).toBe('Parallel');
    const headless = one(overlay, 'Service', nats.spec.serviceName);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(one(overlay, 'Service', 'nats').spec.ports).toContainEqual(
      expect.objectContaining({ name: 'nats', port: 4222 }),
    );
    const [container] = nats.spec.template.spec.containers;
    expect(container.image).toMatch(/^nats:2\.(1\d|[2-9]\d)\.\d+-alpine$/);
    expect(container.lifecycle.preStop.exec.command).toEqual([
      'nats-server',
      '--signal',
      'ldm=/var/run/nats/nats.pid',
    ]);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet.path).toMatch(/^\/healthz/);
      expect(container[probe].httpGet.port).toBe('monitor');
    }
    // Lame duck takes 10 s + 30 s (nats.conf).
    expect(nats.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(45);
    const spread = nats.spec.template.spec.topologySpreadConstraints.find(
      (t: Manifest) => t.topologyKey === 'kubernetes.io/hostname',
    );
    expect(spread).toMatchObject({
      maxSkew: 1,
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
    });
    expect(spread.whenUnsatisfiable).toBe(overlay === 'production' ? 'DoNotSchedule' : 'ScheduleAnyway');
    const [claim] = nats.spec.volumeClaimTemplates;
    expect(container.volumeMounts).toContainEqual({
      name: claim.metadata.name,
      mountPath: '/data/jetstream',
    });

    const configVolume = nats.spec.template.spec.volumes.find((v: Manifest) => v.configMap);
    const natsConf = one(overlay, 'ConfigMap', configVolume.configMap.name).data['nats.conf'];
    expect(natsConf).toContain('store_dir: /data');
    for (const node of [0, 1, 2]) expect(natsConf).toContain(`nats://nats-${node}.nats-headless:6222`);
    expect(natsConf).toContain('pid_file: /var/run/nats/nats.pid');
    // Every JetStream write is on disk before it is acknowledged (docs/adr/0008).
    expect(natsConf).toMatch(/^jetstream \{[^}]*^\s*sync_interval: always$/m);
  });

  it('the NATS configuration is accepted by nats-server', () => {
    const nats = one('production', 'StatefulSet', 'nats');
    const configVolume = nats.spec.template.spec.volumes.find((v: Manifest) => v.configMap);
    const { 'nats.conf': conf, ...included } = one(
      'production',
      'ConfigMap',
      configVolume.configMap.name,
    ).data;
    expect(Object.keys(included)).toEqual(['authorization.conf']);
    const { status, output } = checkNatsConfig(conf, [], { POD_NAME: 'nats-0', ...NATS_PASSWORDS }, included);
    expect(output).toContain('is valid');
    expect(status).toBe(0);
  });

  it('production keeps streams at three replicas and PostgreSQL in a three-instance CloudNativePG cluster', () => {
    const config = all('production', 'ConfigMap').find((c) => c.metadata.name.startsWith('parley-config'));
    expect(config.data).toMatchObject({
      PARLEY_STREAM_REPLICAS: '3',
      NODE_ENV: 'production',
      NATS_URL: 'nats://nats:4222',
    });
    const cluster = one('production', 'Cluster', 'parley-db');
    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.bootstrap.initdb).toEqual({ database: 'parley', owner: 'parley' });
    expect(cluster.spec.inheritedMetadata.labels['app.kubernetes.io/component']).toBe('database');
    expect(cluster.spec.affinity).toMatchObject({
      enablePodAntiAffinity: true,
      podAntiAffinityType: 'required',
    });
    const [plugin] = cluster.spec.plugins;
    expect(plugin).toMatchObject({ isWALArchiver: true, parameters: { barmanObjectName: 'parley-backups' } });
    one('production', 'ObjectStore', 'parley-backups');
    expect(one('production', 'ScheduledBackup', 'parley-db-nightly').spec.cluster.name).toBe('parley-db');
    expect(all('production', 'StatefulSet').map((s) => s.metadata.name)).toEqual(['nats']);
    for (const name of DATABASE_CLIENTS) {
      const env = one('production', 'Deployment', name).spec.template.spec.containers[0].env;
      expect(env.find((e: Manifest) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef).toEqual({
        name: 'parley-db-app',
        key: 'uri',
      });
    }
  });

  it('dev runs PostgreSQL as a single StatefulSet and streams with one replica', () => {
    const postgres = one('dev', 'StatefulSet', 'postgres');
    expect(postgres.spec.replicas).toBe(1);
    expect(postgres.spec.template.spec.containers[0].image).toMatch(/^postgres:\d+\.\d+-alpine$/);
    expect(postgres.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('database');
    const config = all('dev', 'ConfigMap').find((c) => c.metadata.name.startsWith('parley-config'));
    expect(config.data.PARLEY_STREAM_REPLICAS).toBe('1');
    expect(all('dev', 'Cluster')).toEqual([]);
  });

  it.each(OVERLAYS)(
    '%s: configuration comes from a ConfigMap and Secrets, and every reference resolves',
    (overlay) => {
      const names = (kind: string) => all(overlay, kind).map((o) => o.metadata.name);
      for (const workload of workloads(overlay)) {
        const pod = workload.spec.template.spec;
        for (const volume of pod.volumes ?? []) {
          if (volume.configMap) expect(names('ConfigMap')).toContain(volume.configMap.name);
          if (volume.secret) expect(names('Secret')).toContain(volume.secret.secretName);
        }
        for (const container of pod.containers) {
          for (const source of container.envFrom ?? []) {
            if (source.configMapRef) expect(names('ConfigMap')).toContain(source.configMapRef.name);
            if (source.secretRef) expect(names('Secret')).toContain(source.secretRef.name);
          }
          for (const variable of container.env ?? []) {
            const ref = variable.valueFrom?.secretKeyRef;
            if (!ref) continue;
            const secret = all(overlay, 'Secret').find((s) => s.metadata.name === ref.name);
            if (secret) expect(Object.keys(secret.data ?? secret.stringData)).toContain(ref.key);
            else expect(EXTERNAL_SECRETS[overlay]).toContain(ref.name);
          }
        }
      }
      for (const name of SERVICES) {
        const [container] = one(overlay, 'Deployment', name).spec.template.spec.containers;
        expect(container.envFrom[0].configMapRef.name).toMatch(/^parley-config-/);
        const secrets = container.env
          .filter((e: Manifest) => e.valueFrom?.secretKeyRef)
          .map((e: Manifest) => e.name);
        expect(secrets).toEqual(
          {
            gateway: [
              'PARLEY_ADMIN_TOKEN',
              'PARLEY_JWT_SECRET',
              'NATS_PASSWORD',
              'PARLEY_CONTENT_KEY',
              'PARLEY_SECRET_KEY',
            ],
            delivery: ['DATABASE_URL', 'NATS_PASSWORD', 'PARLEY_CONTENT_KEY', 'PARLEY_SECRET_KEY'],
            mail: [
              'DATABASE_URL',
              'NATS_PASSWORD',
              'PARLEY_CONTENT_KEY',
              'PARLEY_SECRET_KEY',
              'PARLEY_SMTP_URL',
            ],
          }[name] ?? ['DATABASE_URL', 'NATS_PASSWORD', 'PARLEY_CONTENT_KEY'],
        );
      }
    },
  );

  it.each(OVERLAYS)(
    '%s: NetworkPolicies let only the gateway in from outside, and the services out only to NATS, PostgreSQL, DNS (and delivery to webhook endpoints, mail to SMTP servers)',
    (overlay) => {
      const policies = all(overlay, 'NetworkPolicy');
      for (const policy of policies) {
        // The helper below understands matchLabels only.
        expect(JSON.stringify(policy)).not.toContain('matchExpressions');
        // Nothing is reachable by address from outside.
        expect(JSON.stringify(policy.spec.ingress ?? [])).not.toContain('ipBlock');
      }
      const covering = (labels: Labels, type: 'Ingress' | 'Egress') =>
        policies.filter(
          (p) => selects(p.spec.podSelector.matchLabels, labels) && p.spec.policyTypes.includes(type),
        );
      const peers = (labels: Labels, type: 'Ingress' | 'Egress') =>
        covering(labels, type).flatMap((p) =>
          (p.spec[type === 'Ingress' ? 'ingress' : 'egress'] ?? []).flatMap((rule: Manifest) =>
            (rule[type === 'Ingress' ? 'from' : 'to'] ?? [{ anywhere: true }]).map((peer: Manifest) => ({
              peer,
              ports: (rule.ports ?? []).map((p: Manifest) => p.port).sort(),
            })),
          ),
        );
      const ingressNginx = {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      };
      const dns = {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      };
      const natsPods = one(overlay, 'StatefulSet', 'nats').spec.template.metadata.labels;
      const databasePods =
        overlay === 'dev'
          ? one('dev', 'StatefulSet', 'postgres').spec.template.metadata.labels
          : {
              ...one('production', 'Cluster', 'parley-db').spec.inheritedMetadata.labels,
              'cnpg.io/cluster': 'parley-db',
            };

      // X-Forwarded-For is believed from any private address only because nothing but the ingress
      // controller can reach the gateway (asserted below).
      const config = all(overlay, 'ConfigMap').find((c) => c.metadata.name.startsWith('parley-config'));
      expect(config.data.PARLEY_TRUSTED_PROXIES).toBe('uniquelocal');
      for (const name of SERVICES) {
        const labels = one(overlay, 'Deployment', name).spec.template.metadata.labels;
        expect(covering(labels, 'Ingress').length).toBeGreaterThan(0);
        expect(covering(labels, 'Egress').length).toBeGreaterThan(0);
        expect([name, peers(labels, 'Ingress')]).toEqual([
          name,
          name === 'gateway' ? [{ peer: ingressNginx, ports: [3000] }] : [],
        ]);
        const egress = peers(labels, 'Egress');
        for (const { peer, ports } of egress) {
          const target = peer.podSelector?.matchLabels ?? {};
          if (peer.ipBlock) {
            // Webhook endpoints and SMTP servers: public addresses only (no cluster, private or cloud
            // metadata ranges); SMTP on its ports only.
            expect([name, peer.ipBlock.cidr]).toEqual([
              expect.stringMatching(/^(delivery|mail)$/),
              expect.stringMatching(/^(0\.0\.0\.0|::)\/0$/),
            ]);
            if (name === 'mail') expect(ports).toEqual([25, 465, 587]);
            const excluded =
              peer.ipBlock.cidr === '::/0'
                ? ['::1/128', 'fc00::/7', 'fe80::/10']
                : ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '127.0.0.0/8'];
            expect(peer.ipBlock.except).toEqual(expect.arrayContaining(excluded));
          } else if (peer.namespaceSelector) expect({ peer, ports }).toEqual({ peer: dns, ports: [53, 53] });
          else if (selects(target, natsPods)) expect(ports).toEqual([4222]);
          else if (selects(target, databasePods)) expect([name, ports]).toEqual([name, [5432]]);
          else throw new Error(`${overlay}: ${name} may reach ${JSON.stringify(peer)}`);
        }
        const reaches = (pods: Labels) =>
          egress.some(({ peer }) => selects(peer.podSelector?.matchLabels, pods));
        expect([name, reaches(natsPods), reaches(databasePods)]).toEqual([
          name,
          true,
          DATABASE_CLIENTS.includes(name),
        ]);
      }

      // NATS and PostgreSQL accept connections from inside the namespace only (CloudNativePG: and
      // from its operator's namespace).
      for (const [what, labels] of [
        ['nats', natsPods],
        ['database', databasePods],
      ] as const) {
        expect(covering(labels, 'Ingress').length).toBeGreaterThan(0);
        for (const { peer } of peers(labels, 'Ingress')) {
          expect([what, peer.anywhere]).toEqual([what, undefined]);
          if (peer.namespaceSelector) {
            expect([what, peer.namespaceSelector]).toEqual([
              what,
              { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } },
            ]);
          }
        }
      }
      expect(covering(natsPods, 'Egress').length).toBeGreaterThan(0);
    },
  );

  it.each(OVERLAYS)('%s: the gateway Ingress suits server-sent events', (overlay) => {
    const ingress = one(overlay, 'Ingress', 'gateway');
    const annotations = ingress.metadata.annotations;
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    const backends = ingress.spec.rules.flatMap((r: Manifest) =>
      r.http.paths.map((p: Manifest) => p.backend.service),
    );
    expect(backends).toEqual([{ name: 'gateway', port: { name: 'http' } }]);
    expect(all(overlay, 'Ingress')).toHaveLength(1);
    for (const service of all(overlay, 'Service')) expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    if (overlay === 'production') expect(ingress.spec.tls[0].secretName).toBeTruthy();
  });

  /** A container's environment as Kubernetes would give it, from the rendered objects. */
  const environmentOf = (overlay: Overlay, container: Manifest): Record<string, string> => {
    const secretValue = (name: string, key: string) => {
      const secret = rendered[overlay].find((o) => o.kind === 'Secret' && o.metadata.name === name);
      if (secret) return Buffer.from(String(secret.data[key]).replace(/\s/g, ''), 'base64').toString();
      const value = EXTERNAL_SECRET_VALUES[`${name}/${key}`];
      if (value === undefined) throw new Error(`${overlay}: no value for secret ${name} key ${key}`);
      return value;
    };
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) Object.assign(env, one(overlay, 'ConfigMap', source.configMapRef.name).data);
      else throw new Error(`${overlay}: envFrom ${JSON.stringify(source)} is not read by this test`);
    }
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (variable.value !== undefined) env[variable.name] = String(variable.value);
      else if (ref) env[variable.name] = secretValue(ref.name, ref.key);
      else throw new Error(`${overlay}: env ${variable.name} comes from a source this test does not read`);
    }
    return env;
  };

  it.each(OVERLAYS)(
    '%s: every service accepts the configuration the manifests give it, and gets as far as NATS',
    async (overlay) => {
      // Nothing listens there: a service whose configuration passes stops at its first connection.
      const nowhere = `nats://127.0.0.1:${await freePort()}`;
      for (const name of SERVICES) {
        const [container] = one(overlay, 'Deployment', name).spec.template.spec.containers;
        const env = environmentOf(overlay, container);
        expect([name, env.NODE_ENV]).toEqual([name, 'production']);
        const service = await ServiceProcess.create(name as ServiceName, { ...env, NATS_URL: nowhere });
        const { code, output } = await service.runUntilExit();
        expect([overlay, name, code, output]).toEqual([
          overlay,
          name,
          1,
          expect.stringContaining(`Cannot reach NATS at ${nowhere}`),
        ]);
      }
    },
    60_000,
  );

  it('docs/operations.md explains the secrets that production expects', () => {
    const docs = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    for (const secret of [
      'parley-gateway',
      'parley-backup-s3',
      'parley-db-app',
      'parley-nats-users',
      'parley-secret-key',
      'parley-content-key',
      'parley-mail',
    ])
      expect(docs).toContain(secret);
  });
});

describe('docker-compose.yml', () => {
  beforeAll(() => requirePrerequisite(DOCKER_COMPOSE));

  const compose = (...args: string[]) => run('docker-compose', ['-f', 'docker-compose.yml', ...args]);

  it('validates against the Compose specification (docker-compose config -q), with and without .env.example', () => {
    expect(compose('config', '-q')).toBe('');
    expect(compose('--env-file', '.env.example', 'config', '-q')).toBe('');
  });

  it('pins NATS, PostgreSQL and Mailpit, builds the five services from the Dockerfile and starts them when healthy', () => {
    const source = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
    expect(Object.keys(source)).not.toContain('name');
    expect(Object.keys(source)).not.toContain('version');

    const { services, volumes } = parse(compose('config'));
    expect(Object.keys(services).sort()).toEqual([...SERVICES, 'mailpit', 'nats', 'postgres'].sort());
    expect(services.nats.image).toMatch(/^nats:2\.(1\d|[2-9]\d)\.\d+-alpine$/);
    expect(services.nats.command).toEqual(expect.arrayContaining(['--jetstream', '--store_dir', '/data']));
    expect(services.nats.healthcheck.test.join(' ')).toContain('http://127.0.0.1:8222/healthz');
    // docker-compose 1.29 prints short syntax (volume:target:mode), Compose v2 long syntax.
    const volume = (v: Manifest) => (typeof v === 'string' ? v : `${v.source}:${v.target}`);
    expect(volume(services.nats.volumes[0])).toMatch(/^nats-data:\/data\b/);
    expect(services.postgres.image).toMatch(/^postgres:\d+\.\d+-alpine$/);
    expect(services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(volume(services.postgres.volumes[0])).toMatch(/^postgres-data:\/var\/lib\/postgresql\/data\b/);
    expect(Object.keys(volumes).sort()).toEqual(['nats-data', 'postgres-data']);

    for (const name of SERVICES) {
      const service = services[name];
      expect(service.build).toMatchObject({ dockerfile: 'Dockerfile', args: { APP: name } });
      expect(service.environment.NATS_URL).toBe('nats://nats:4222');
      expect(Object.keys(service.environment).includes('DATABASE_URL')).toBe(DATABASE_CLIENTS.includes(name));
      expect(service.depends_on.nats).toEqual({ condition: 'service_healthy' });
      if (DATABASE_CLIENTS.includes(name))
        expect(service.depends_on.postgres).toEqual({ condition: 'service_healthy' });
      for (const dependency of Object.values(service.depends_on)) {
        expect(dependency).toEqual({ condition: 'service_healthy' });
      }
      expect(service.stop_grace_period).toBe('30s');
    }
    expect(services.gateway.ports).toEqual([expect.objectContaining({ target: 3000, published: 3000 })]);
    // Mail goes to the SMTP catcher, whose web UI is on this machine only.
    expect(services.mailpit.image).toMatch(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    expect(services.mail.environment.PARLEY_SMTP_URL).toBe('smtp://mailpit:1025');
    expect(services.mail.depends_on.mailpit).toEqual({ condition: 'service_healthy' });
  });

  it('starts NATS with a mounted configuration file that puts every JetStream write on disk before its ack', () => {
    const { services } = parse(compose('config'));
    const command: string[] = services.nats.command;
    const at = command.indexOf('--config');
    expect(at).toBeGreaterThanOrEqual(0);
    const target = command[at + 1];
    // docker-compose 1.29 prints short syntax (absolute source:target:mode), Compose v2 long syntax.
    const mounts: string[][] = services.nats.volumes.map((v: Manifest) =>
      typeof v === 'string' ? v.split(':') : [v.source, v.target],
    );
    const mount = mounts.find(([, path]) => path === target);
    expect(mount && resolve(ROOT, mount[0])).toBe(join(ROOT, 'deploy/compose/nats.conf'));
    const conf = readFileSync(join(ROOT, 'deploy/compose/nats.conf'), 'utf8');
    expect(conf).toMatch(/^jetstream \{[^}]*^\s*sync_interval: always$/m);
    // With the compose file's other flags, as the container starts it (-t checks, creates nothing).
    const authorization = readFileSync(join(ROOT, 'deploy/base/nats/authorization.conf'), 'utf8');
    const { status, output } = checkNatsConfig(
      conf,
      [...command.slice(0, at), ...command.slice(at + 2)],
      NATS_PASSWORDS,
      { 'authorization.conf': authorization },
    );
    expect(output).toContain('is valid');
    expect(status).toBe(0);
  });

  it('.env.example names every variable that docker-compose.yml reads', () => {
    const used = new Set(
      [...readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(/\$\{(\w+)/g)].map((m) => m[1]),
    );
    const documented = new Set(
      readFileSync(join(ROOT, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^\w+=/.test(line))
        .map((line) => line.split('=')[0]),
    );
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !used.has(name))).toEqual([]);
  });
});
