// One diagnosis per category × provider, built the way the engine builds findings (catalog words and the
// provider's remediation for what is known), for the golden answers and the Block Kit limits.
import { categoryTexts } from '../../src/engine/categories.js';
import type { Diagnosis, Facts } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import type { Category, Provider } from '../../src/engine/vocabulary.js';
import { remediationFor } from '../../src/providers/index.js';

export const CATALOG_IMAGES: Record<Provider, string> = {
  ecr: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2',
  gar: 'europe-west1-docker.pkg.dev/acme-prod/containers/api:2.0.0',
  gcr: 'gcr.io/acme-prod/api:2.0.0',
  acr: 'contosoprod.azurecr.io/web/frontend:3.1.0',
  dockerhub: 'docker.io/acme/tools:1.0.0',
  ghcr: 'ghcr.io/acme/web:1.2.0',
  other: 'harbor.example.com/team/app:1.0.0',
};

/** What a person reads for the registry of each catalog image: the provider's name, or the host of a registry no adapter knows. */
export const CATALOG_REGISTRY_NAMES: Record<Provider, string> = {
  ecr: 'Amazon ECR',
  gar: 'Google Artifact Registry',
  gcr: 'Google Container Registry',
  acr: 'Azure Container Registry',
  dockerhub: 'Docker Hub',
  ghcr: 'GitHub Container Registry',
  other: 'harbor.example.com',
};

const FACTS: Record<Provider, Facts> = {
  ecr: { principal: 'arn:aws:sts::123456789012:assumed-role/gha-deployer/GitHubActions', permission: 'ecr:InitiateLayerUpload' },
  gar: { principal: 'ci-pusher@acme-prod.iam.gserviceaccount.com', permission: 'artifactregistry.repositories.uploadArtifacts' },
  gcr: { principal: 'ci-pusher@acme-prod.iam.gserviceaccount.com', permission: 'artifactregistry.repositories.uploadArtifacts' },
  acr: { clientIp: '20.84.112.37' },
  dockerhub: {},
  ghcr: {},
  other: { clientIp: '203.0.113.9' },
};

export function catalogDiagnosis(provider: Provider, category: Category, confidence: number): Diagnosis {
  const parsed = parseImageRef(CATALOG_IMAGES[provider]);
  if (!parsed.ok) throw new Error(parsed.error);
  const image = parsed.ref;
  const facts: Facts = { image: image.reference, host: image.host, ...FACTS[provider] };
  const remediation = remediationFor({ category, provider, image, facts });
  const text = categoryTexts[category];
  return {
    input: { logExcerpt: `error pushing ${image.reference}`, logLines: 40, logBytes: 2048, image: image.reference },
    provider,
    image,
    facts,
    findings: [
      {
        category,
        title: text.title,
        explanation: remediation.explanation ?? text.explanation,
        severity: text.severity,
        confidence,
        evidence: [{ source: 'log', line: 40, text: `error pushing ${image.reference}: ${text.title}` }],
        remediation: remediation.steps,
        docs: remediation.docs,
        fixes: [],
        rules: [],
      },
      ...(confidence < 0.6
        ? [{ category: 'network' as const, title: categoryTexts.network.title, explanation: '', severity: 'warning' as const, confidence: 0.3, evidence: [], remediation: remediationFor({ category: 'network', provider, image, facts }).steps, docs: [], fixes: [], rules: [] }]
        : []),
    ],
    probes: [],
  };
}
