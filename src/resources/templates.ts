// The resource templates: content a client can attach as context. An image's manifest and its
// config, addressed by digest (immutable: the same URI always reads the same bytes, verified
// against the digest), and a Docker Hub repository's README. Each is served only when the tool
// that reads the same content is enabled, so DOCKERHUB_TOOLS narrows resources as it does tools.
import type { ToolName } from '../config-spec.js';
import type { CompleterKind } from './completers.js';
import { CONFIG_TEMPLATE, MANIFEST_TEMPLATE, README_TEMPLATE } from './uri.js';

export interface TemplateSpec {
  name: string;
  title: string;
  uriTemplate: string;
  description: string;
  mimeType?: string;
  /** Served only when this tool is. */
  tool: ToolName;
  /** Template variable → how its values are completed. */
  complete: Readonly<Record<string, CompleterKind>>;
}

const ociVariables = { registry: 'registry', repository: 'repository', digest: 'digest' } as const;

export const TEMPLATES: readonly TemplateSpec[] = [
  {
    name: 'image_manifest',
    title: 'Image manifest by digest',
    uriTemplate: MANIFEST_TEMPLATE,
    description:
      'The manifest (image or index) stored under a digest, verbatim and verified against it. registry: host[:port] (docker.io for Docker Hub); repository: e.g. library/nginx; digest: sha256:<64 hex> (completion turns a typed tag into its digest).',
    tool: 'hub_registry',
    complete: ociVariables,
  },
  {
    name: 'image_config',
    title: 'Image config by manifest digest',
    uriTemplate: CONFIG_TEMPLATE,
    description:
      "The config JSON (env, entrypoint, labels, history) of the image manifest under a digest. An index has no config: read its manifest and use one platform's digest.",
    tool: 'hub_registry',
    complete: ociVariables,
  },
  {
    name: 'hub_readme',
    title: 'Docker Hub repository README',
    uriTemplate: README_TEMPLATE,
    description: "A Docker Hub repository's README (its full_description, Markdown). Official images live in namespace library.",
    mimeType: 'text/markdown',
    tool: 'hub_repos',
    complete: { namespace: 'namespace', repository: 'hub_repository' },
  },
];

export function servedTemplates(enabled: readonly ToolName[]): TemplateSpec[] {
  return TEMPLATES.filter((template) => enabled.includes(template.tool));
}
